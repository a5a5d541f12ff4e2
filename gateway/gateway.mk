# Gateway targets, included by the root Makefile (`include gateway/gateway.mk`).
# Paths are relative to the repository root.

GATEWAY_PY      ?= .venv/bin/python
SUPERGRAPH      ?= gateway/supergraph.graphql
PORT            ?= 4000
HOST            ?= 127.0.0.1
# A local checkout of graphql-hive/federation-gateway-audit (outside this repository) with a
# gateways/xiangzhi/run.sh that starts this gateway; see gateway/AUDIT.md.
AUDIT_DIR       ?= /work/audit

.PHONY: gateway gateway-plan gateway-test gateway-audit gateway-graphiql bench-gateway

gateway: ## run the gateway in the foreground over SUPERGRAPH on HOST:PORT
	$(GATEWAY_PY) -m gateway serve --supergraph $(SUPERGRAPH) --host $(HOST) --port $(PORT)

gateway-plan: ## print the query plan of QUERY (a .graphql file) over SUPERGRAPH
	$(GATEWAY_PY) -m gateway plan --supergraph $(SUPERGRAPH) $(QUERY)

gateway-test: ## the gateway's own tests (real subgraphs on loopback, plan snapshots)
	$(GATEWAY_PY) -m pytest gateway/tests -q

gateway-audit: ## the federation gateway audit against this gateway (needs Node 22 on PATH)
	cd $(AUDIT_DIR) && npm start -- test --cwd ./gateways/xiangzhi --run-script ./run.sh \
	  --graphql http://127.0.0.1:4091/graphql --healthcheck http://127.0.0.1:4091/healthz \
	  --reporter dot && cat gateways/xiangzhi/results.txt

gateway-graphiql: ## install GraphiQL's static assets (npm) next to the gateway, git-ignored
	cd gateway/graphiql && npm install --no-audit --no-fund

bench-gateway: ## the gateway benchmark alone: ours against Apollo Gateway and Hive Gateway (JS and Rust planners)
	$(GATEWAY_PY) gateway/bench/run.py
