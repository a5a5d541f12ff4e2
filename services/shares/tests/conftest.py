"""A shares service on a fresh database, seeded with the demo county, served on loopback,
consuming co-op settlements from a scratch topic private to the test module."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest_asyncio
from shares.app import make_spec
from shares.seed import seed
from shares.settings import SharesSettings
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, Tokens, fresh_database, scratch_topics, served


@dataclass
class SharesUnderTest:
    url: str
    gql: GraphQLClient
    pool: asyncpg.Pool
    app: object
    settings: SharesSettings

    async def reconciles(self) -> bool:
        """holdings == sum(history) and balances == sum(entries), everywhere."""
        return not await self.pool.fetchval(
            "SELECT (SELECT count(*) FROM holding_mismatch) + (SELECT count(*) FROM account_mismatch)")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def shares(tokens: Tokens) -> AsyncIterator[SharesUnderTest]:
    async with fresh_database("shares") as dsn, \
            scratch_topics("coop.settlement", "dlq.shares") as (settlement_topic, dlq):
        settings = SharesSettings(
            database_url=dsn, jwks_file=tokens.jwks_file, database_pool_max=20,
            service_name=f"shares-test-{secrets.token_hex(3)}",  # a consumer group of its own
            settlement_topic=settlement_topic, dead_letter_topic=dlq)
        app = create_app(make_spec(settings))
        async with served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            gql = GraphQLClient(url)
            try:
                yield SharesUnderTest(url, gql, pool, app, settings)
            finally:
                await gql.close()
