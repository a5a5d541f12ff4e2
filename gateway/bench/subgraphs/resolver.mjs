// The benchmark's four subgraphs executed for real, in one Node process, one path each
// (/accounts, /inventory, /products, /reviews) on one port: graphql-js with @apollo/subgraph
// (_entities, @requires, @provides). The gateways do not talk to it directly: server.py, the
// subgraphs' HTTP front, asks it once per distinct request body and answers repeats itself.
// It also keeps its own answers (the front may restart; this is only to stay cheap).
//
// Usage: node resolver.mjs <port>

import http from "node:http";
import { execute, parse, validate } from "graphql";
import { SUBGRAPHS } from "./schemas.mjs";

const port = Number(process.argv[2] ?? 4200);
const MAX_MEMO = 10_000; // distinct bodies kept; beyond that answers are computed each time
const memo = new Map();
let executed = 0;
let served = 0;

async function answer(name, body) {
  const key = name + "\n" + body;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  let result;
  try {
    const { query, variables, operationName } = JSON.parse(body);
    const document = parse(query);
    const errors = validate(SUBGRAPHS[name], document);
    result = errors.length
      ? { errors: errors.map((e) => ({ message: e.message })) }
      : await execute({ schema: SUBGRAPHS[name], document, variableValues: variables, operationName });
  } catch (error) {
    result = { errors: [{ message: String(error?.message ?? error) }] };
  }
  executed++;
  const bytes = Buffer.from(JSON.stringify(result));
  if (memo.size < MAX_MEMO) memo.set(key, bytes);
  return bytes;
}

const server = http.createServer((req, res) => {
  const name = req.url.slice(1);
  if (req.method === "GET" && name === "healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", executed, served, memo: memo.size }));
    return;
  }
  if (req.method !== "POST" || !(name in SUBGRAPHS)) {
    res.writeHead(404);
    res.end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    answer(name, Buffer.concat(chunks).toString()).then((bytes) => {
      served++;
      res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length });
      res.end(bytes);
    });
  });
});
// Gateways keep their pooled connections open for the whole run.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.maxRequestsPerSocket = 0;
server.listen(port, "127.0.0.1", () => console.log(`subgraph resolver listening on 127.0.0.1:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
