"""The project's own PostgreSQL cluster, through the URLs the services get."""

from __future__ import annotations

import asyncpg
import pytest
from xzstack import paths


@pytest.mark.parametrize("db", paths.DATABASES)
async def test_each_service_database_exists_owned_by_xiangzhi(db):
    conn = await asyncpg.connect(paths.database_url(db))
    try:
        assert await conn.fetchval("SELECT current_user") == "xiangzhi"
        owner = await conn.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        assert owner == "xiangzhi"
        # a service can create its own tables (migrations) and round-trip numeric exactly
        async with conn.transaction():
            await conn.execute("CREATE TEMP TABLE t (amount numeric(12,2))")
            await conn.execute("INSERT INTO t VALUES ('1234567.89')")
            assert str(await conn.fetchval("SELECT amount FROM t")) == "1234567.89"
    finally:
        await conn.close()


async def test_listens_on_loopback_only_with_utf8():
    conn = await asyncpg.connect(paths.database_url("grid"))
    try:
        assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
        assert await conn.fetchval("SHOW unix_socket_directories") == ""
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        assert await conn.fetchval("SHOW data_directory") == str(paths.PG_DATA)
    finally:
        await conn.close()
