"""A grid service on a fresh database, seeded with the demo county, served on loopback."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest_asyncio
from grid.app import make_spec
from grid.seed import seed, sid
from grid.settings import GridSettings
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import (
    GraphQLClient,
    Tokens,
    fresh_database,
    served,
    start_groups_at_end,
)


@dataclass
class GridUnderTest:
    url: str
    gql: GraphQLClient
    pool: asyncpg.Pool
    app: object
    settings: GridSettings

    @staticmethod
    def region_id(code: str) -> str:
        return str(sid("region", code))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def grid(tokens: Tokens) -> AsyncIterator[GridUnderTest]:
    async with fresh_database("grid") as dsn:
        # A consumer group of its own, starting at the topics' ends: the test database sees
        # only the events its tests produce, never the shared topics' history.
        settings = GridSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                escalation_interval_s=3600,
                                service_name=f"grid-test-{secrets.token_hex(3)}")
        await start_groups_at_end(f"{settings.service_name}.ticket-feedback",
                                  ["dispatch.ticket.v1"])
        app = create_app(make_spec(settings))
        async with served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            gql = GraphQLClient(url)
            try:
                yield GridUnderTest(url, gql, pool, app, settings)
            finally:
                await gql.close()
