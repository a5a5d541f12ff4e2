"""The Kubernetes check toolkit: render the chart, validate against offline schemas, policy
checks, Dockerfile checks. Used by deploy/k8s/tests (pytest) and the `k8s-*` make targets."""

from __future__ import annotations

from pathlib import Path

K8S_DIR = Path(__file__).resolve().parents[1]
ROOT = K8S_DIR.parents[1]
CHART = ROOT / "charts" / "xiangzhi"
ENV_DIR = ROOT / "deploy" / "env"
SCHEMAS = K8S_DIR / "schemas"
GENERATED = K8S_DIR / "generated"
ENVIRONMENTS = ("dev", "staging", "prod")


def versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (K8S_DIR / "versions.env").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out
