"""Per-environment inputs of the checks: merged values and the data-plane manifests."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from checks import GENERATED, K8S_DIR


def _generate():
    if str(K8S_DIR) not in sys.path:
        sys.path.insert(0, str(K8S_DIR))
    import generate
    return generate


@cache
def _values(env: str) -> dict[str, Any]:
    return _generate().load_values(env)


def values(env: str) -> dict[str, Any]:
    """Chart values merged with deploy/env/<env>.yaml, as Helm merges them."""
    return _values(env)


def data_docs(env: str) -> list[dict[str, Any]]:
    """The committed data-plane manifests of an environment (deploy/k8s/generated/<env>/)."""
    docs: list[dict[str, Any]] = []
    for path in sorted((Path(GENERATED) / env).glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text("utf-8")) if d]
    return docs
