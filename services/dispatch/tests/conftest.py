"""A dispatch service on a fresh database, seeded with the demo data, served on loopback, once
for the whole session (each test makes its own tickets, so tests do not depend on each other).

Its consumers use a consumer group private to this test session (a unique service name) that
starts at the current end of its topics, so records left by earlier runs, the running stack
or the benchmark are never replayed here."""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest_asyncio
from dispatch.app import make_spec
from dispatch.seed import seed
from dispatch.settings import DispatchSettings
from xiangzhi_shared.demo import demo_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, Tokens, fresh_database, served
from xiangzhi_shared.topics import load_catalogue

# Test modules import their shared documents from dispatch_testkit beside this file.
sys.path.insert(0, str(Path(__file__).parent))
from xiangzhi_shared.testing import start_groups_at_end  # noqa: E402


@dataclass
class DispatchUnderTest:
    url: str
    gql: GraphQLClient
    pool: asyncpg.Pool
    app: Any
    settings: DispatchSettings

    @staticmethod
    def region_id(code: str) -> str:
        return str(demo_id("region", code))

    @staticmethod
    def coordinator_id(village: str) -> str:
        return str(demo_id("person", f"{village}/coordinator"))

    async def wait_for(self, query: str, *args: Any, timeout_s: float = 20.0) -> Any:
        """Polls until the query returns a non-null value (effects of consumed events)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            value = await self.pool.fetchval(query, *args)
            if value is not None:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for: {query} {args}")
            await asyncio.sleep(0.1)


def consumer_topics() -> list[str]:
    return ["grid.matter.v1", *(f"partner.{c}.updates.v1" for c in load_catalogue().partners)]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dispatch(tokens: Tokens) -> AsyncIterator[DispatchUnderTest]:
    async with fresh_database("dispatch") as dsn:
        name = f"dispatch-test-{secrets.token_hex(4)}"
        for consumer in ("matter-intake", "partner-updates"):
            await start_groups_at_end(f"{name}.{consumer}", consumer_topics())
        settings = DispatchSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                    service_name=name, overdue_interval_s=3600)
        app = create_app(make_spec(settings))
        async with served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            gql = GraphQLClient(url)
            try:
                yield DispatchUnderTest(url, gql, pool, app, settings)
            finally:
                await gql.close()
