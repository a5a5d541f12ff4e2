"""Fixtures of the Kubernetes checks: renderings per environment, made once per session."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import ENVIRONMENTS, render  # noqa: E402

_cache: dict[str, list[dict[str, Any]]] = {}


@pytest.fixture(scope="session")
def helm_bin() -> str:
    return render.helm()


@pytest.fixture(scope="session")
def chart_docs(helm_bin: str):
    """env -> the chart's rendered objects for that environment."""
    def get(env: str) -> list[dict[str, Any]]:
        if env not in _cache:
            _cache[env] = render.documents(render.render(env, helm_bin=helm_bin))
        return _cache[env]
    return get


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param
