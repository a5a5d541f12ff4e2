// Composes subgraph SDLs into a Federation v2 supergraph with The Guild's
// federation-composition. Reads [{name, url, sdl}] as JSON on stdin, writes the supergraph
// SDL to stdout; composition errors go to stderr with exit code 1.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

const subgraphs = JSON.parse(readFileSync(0, "utf8"));
const result = composeServices(
  subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
);
if (result.errors && result.errors.length > 0) {
  for (const error of result.errors) console.error(`composition: ${error.message}`);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl.trimEnd() + "\n");
