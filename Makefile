# Xiangzhi entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath .)
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := $(ROOT)/.venv/bin/python
GEN := services/shared/src
PROTOS := $(shell find proto -name '*.proto')
STACK := $(PY) deploy/local/stack

.PHONY: help setup proto run up down test lint token bench supergraph gateway

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  \033[1m%-20s\033[0m %s\n", $$1, $$2}'

setup: .venv/.synced $(GEN)/xiangzhi/.generated ## install uv (if missing), Python deps from the lock, generated code

.venv/.synced: uv.lock pyproject.toml $(wildcard services/*/pyproject.toml) gateway/pyproject.toml
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || { echo "installing uv"; python3 -m pip install --user --quiet uv; }
	$(UV) sync --frozen --all-packages
	@touch $@

proto: $(GEN)/xiangzhi/.generated ## generate Python classes from proto/

$(GEN)/xiangzhi/.generated: $(PROTOS) .venv/.synced
	rm -rf $(GEN)/xiangzhi && mkdir -p $(GEN)/xiangzhi
	$(PY) -m grpc_tools.protoc -I proto --python_out=$(GEN) --pyi_out=$(GEN) $(PROTOS)
	find $(GEN)/xiangzhi -type d -exec touch {}/__init__.py \;
	@touch $@
