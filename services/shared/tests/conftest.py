"""A bare database with the shared tables, for testing the library's parts on their own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio
from xiangzhi_shared.db import create_pool
from xiangzhi_shared.migrations import SHARED_MIGRATIONS, migrate
from xiangzhi_shared.testing import fresh_database


@pytest_asyncio.fixture(loop_scope="session")
async def pool() -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database("shared") as dsn:
        p = await create_pool(dsn, max_size=10)
        async with p.acquire() as conn:
            await migrate(conn, SHARED_MIGRATIONS)
        try:
            yield p
        finally:
            await p.close()
