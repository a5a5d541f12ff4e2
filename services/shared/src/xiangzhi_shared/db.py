"""The asyncpg pool, opened and closed by the app lifespan, with JSON codecs set up once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson

from .settings import ServiceSettings


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, schema="pg_catalog", encoder=lambda v: orjson.dumps(v).decode(),
                                  decoder=orjson.loads, format="text")


async def create_pool(dsn: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size,
                                     init=_init_connection)
    assert pool is not None
    return pool


@asynccontextmanager
async def open_pool(settings: ServiceSettings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(settings.database_url, settings.database_pool_min,
                             settings.database_pool_max)
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """The unit of work: state change and its outbox rows commit together or not at all."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn
