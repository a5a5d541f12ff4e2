"""Renders the chart for one environment with the pinned Helm (`make k8s-render ENV=<env>`)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "checks"

from checks import CHART, ENV_DIR, K8S_DIR, ROOT, versions  # noqa: E402

SUPERGRAPH = ROOT / "gateway" / "supergraph.graphql"
# Used only while gateway/supergraph.graphql does not exist yet (the gateway is being written);
# a warning says so on every render.
PLACEHOLDER_SUPERGRAPH = K8S_DIR / "tests" / "fixtures" / "placeholder-supergraph.graphql"
RELEASE = "xiangzhi"


def helm() -> str:
    """Path of the pinned Helm, built once from the Go module proxy (checks/tools.sh)."""
    out = subprocess.run(["bash", str(K8S_DIR / "checks" / "tools.sh")], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def supergraph_file() -> Path:
    if SUPERGRAPH.exists():
        return SUPERGRAPH
    print(f"warning: {SUPERGRAPH.relative_to(ROOT)} does not exist yet; rendering with "
          f"{PLACEHOLDER_SUPERGRAPH.relative_to(ROOT)}", file=sys.stderr)
    return PLACEHOLDER_SUPERGRAPH


def helm_args(env: str, extra: list[str] | None = None) -> list[str]:
    values = ENV_DIR / f"{env}.yaml"
    if not values.exists():
        raise SystemExit(f"no values for environment {env!r} ({values})")
    return [
        "--namespace", f"xiangzhi-{env}",
        "--values", str(values),
        "--set-file", f"supergraph={supergraph_file()}",
        "--kube-version", versions()["KUBERNETES_VERSION"],
        *(extra or []),
    ]


def render(env: str, extra: list[str] | None = None, helm_bin: str | None = None) -> str:
    cmd = [helm_bin or helm(), "template", RELEASE, str(CHART), *helm_args(env, extra)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"helm template failed for {env}:\n{proc.stderr}")
    return proc.stdout


def lint(env: str, helm_bin: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [helm_bin or helm(), "lint", "--strict", str(CHART), *helm_args(env)]
    return subprocess.run(cmd, capture_output=True, text=True)


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env", required=True)
    parser.add_argument("helm_args", nargs="*", help="extra arguments for helm template")
    args = parser.parse_args()
    sys.stdout.write(render(args.env, args.helm_args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
