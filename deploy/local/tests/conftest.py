"""Tests of the local stack against the real, running PostgreSQL and Kafka (no mocks).

The session fixture runs `deploy/local/stack up --infra` first: well under a second when the
stack already runs, a full start otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # deploy/local, for xzstack
sys.path.insert(0, str(HERE))  # stacktest_helpers

from xiangzhi_shared.topics import TopicCatalogue, load_catalogue  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def running_stack() -> None:
    subprocess.run([str(HERE.parent / "stack"), "up", "--infra"], check=True, timeout=600)


@pytest.fixture(scope="session")
def catalogue() -> TopicCatalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def partner_a(catalogue: TopicCatalogue) -> str:
    return catalogue.partners[0]


@pytest.fixture(scope="session")
def partner_b(catalogue: TopicCatalogue) -> str:
    return catalogue.partners[1]
