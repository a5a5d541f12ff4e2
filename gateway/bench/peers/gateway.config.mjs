// Hive Gateway's configuration for the benchmark; the Rust query planner is chosen on the
// command line (--hive-router-runtime). Nothing is cached but plans.
// - BENCH_DEDUPE=1 ("deduplicated" mode): its inbound in-flight request deduplication on.
// - BENCH_DEDUPE=0 ("executed" mode): inbound deduplication off, and also its HTTP
//   transport's default coalescing of identical in-flight subgraph queries, so that every
//   request is executed against the subgraphs, as the mode promises for every gateway.
//   (With that default left on it sent ~30x fewer subgraph requests than requests served.)
import { defineConfig } from "@graphql-hive/gateway";

const dedupe = process.env.BENCH_DEDUPE === "1";

export const gatewayConfig = defineConfig({
  inboundInflightRequestDeduplication: dedupe,
  transportEntries: dedupe ? {} : { "*": { options: { deduplicateInflightRequests: false } } },
  logging: "error",
});
