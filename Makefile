# Xiangzhi entry points. `make help` lists them; README.md explains the system.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
export PATH := $(HOME)/.local/bin:$(PATH)
PY := $(ROOT)/.venv/bin/python
GEN := services/shared/src
PROTOS := $(shell find proto -name '*.proto')
STACK := deploy/local/stack
PYTEST_ARGS ?=

.PHONY: help setup proto run up down status test lint token bench partner-credentials supergraph

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  \033[1m%-22s\033[0m %s\n", $$1, $$2}'

setup: .venv/.synced $(GEN)/xiangzhi/.generated ## install uv if missing, Python deps from the lock, generated code

.venv/.synced: uv.lock pyproject.toml $(wildcard services/*/pyproject.toml) gateway/pyproject.toml
	@command -v uv >/dev/null 2>&1 || { echo "installing uv"; python3 -m pip install --user --quiet uv; }
	uv sync --frozen --all-packages
	@touch $@

proto: $(GEN)/xiangzhi/.generated ## generate Python classes from proto/

$(GEN)/xiangzhi/.generated: $(PROTOS) .venv/.synced
	rm -rf $(GEN)/xiangzhi && mkdir -p $(GEN)/xiangzhi
	$(PY) -m grpc_tools.protoc -I proto --python_out=$(GEN) --pyi_out=$(GEN) $(PROTOS)
	find $(GEN)/xiangzhi -type d -exec touch {}/__init__.py \;
	@touch $@

run: setup ## the whole system on the local stack, in the foreground (Ctrl-C stops all)
	$(STACK) run

up: setup ## the same in the background; returns once every component is healthy
	$(STACK) up

down: ## stop everything the project started (and nothing else)
	$(STACK) down

status: ## what runs, and is it healthy
	$(STACK) status

test: setup gateway/compose/node_modules k8s-tools ## bring up PostgreSQL + Kafka and run every test
	$(STACK) up --infra
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup ## ruff everywhere, mypy on the shared library
	$(PY) -m ruff check .
	$(PY) -m mypy services/shared/src/xiangzhi_shared

# make token ROLE=<role> [REGION=<region id or code>] [PARTNER=<code>] [SUBJECT=<person id>]
token: setup ## print a JWT for the local stack (last line)
	@test -n "$(ROLE)" || { echo "usage: make token ROLE=<role> [REGION=<id or code>] [PARTNER=<code>] [SUBJECT=<id>]"; exit 2; }
	@$(PY) -m xiangzhi_shared.devkeys --role "$(ROLE)" $(if $(REGION),--region "$(REGION)") $(if $(PARTNER),--partner "$(PARTNER)") $(if $(SUBJECT),--subject "$(SUBJECT)")

partner-credentials: ## print a partner utility's Kafka SASL credentials: PARTNER=<code>
	@test -n "$(PARTNER)" || { echo "usage: make partner-credentials PARTNER=<code>"; exit 2; }
	@$(STACK) partner-credentials "$(PARTNER)"

bench: setup ## benchmarks on the local stack (ratios and medians; see docs/operations.md)
	$(STACK) up --infra
	$(PY) tests/bench/run.py

-include gateway/gateway.mk
-include charts/k8s.mk

supergraph: setup gateway/compose/node_modules ## compose the subgraphs' SDL into gateway/supergraph.graphql
	$(PY) gateway/compose/subgraphs.py | node gateway/compose/compose.mjs > gateway/supergraph.graphql.tmp
	mv gateway/supergraph.graphql.tmp gateway/supergraph.graphql

gateway/compose/node_modules: gateway/compose/package.json gateway/compose/package-lock.json
	cd gateway/compose && npm ci --no-audit --no-fund --silent
	@touch $@
