"""Fixtures shared by every test suite: they talk to the real local stack (`make test`
starts PostgreSQL and Kafka first)."""

from __future__ import annotations

import pytest
from xiangzhi_shared.testing import Tokens


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("keys"))
