// Apollo Gateway (@apollo/gateway) inside Apollo Server's standalone HTTP server, one process.
// Apollo Server has no inbound in-flight deduplication, so it runs the same in both modes.
// Usage: NODE_ENV=production node apollo.mjs <supergraph> <port>

import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const [supergraph, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraph, "utf8") });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: Number(port) } });
console.log(`apollo gateway ready at ${url}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
