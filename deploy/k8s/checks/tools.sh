#!/usr/bin/env bash
# Builds the pinned Helm from the Go module proxy into .cache/bin (git-ignored), once.
# A second run with the same version does nothing. Prints the binary's path on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/deploy/k8s/versions.env"
BIN="$ROOT/.cache/bin"
STAMP="$BIN/helm.version"
k8s_minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
want="$HELM_VERSION k8s-1.$k8s_minor"
if [[ -x "$BIN/helm" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  echo "$BIN/helm"
  exit 0
fi
command -v go >/dev/null || { echo "tools.sh: Go is needed to build Helm (none on PATH)" >&2; exit 1; }
mkdir -p "$BIN"
echo "building helm $HELM_VERSION from the Go module proxy (once; cached in .cache/bin)" >&2
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
# The Kubernetes version `helm template`/`helm lint` assume, so kubeVersion checks match ours.
for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done
# -p=1: the machine is small and shared; the build takes ~2.5 min once.
GOFLAGS="-p=1 -buildvcs=false -trimpath" CGO_ENABLED=0 GOBIN="$BIN" \
  go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
echo "$want" > "$STAMP"
echo "$BIN/helm"
