"""The migration runner: ordered, recorded, once each, safe when two run at once."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from xiangzhi_shared.migrations import discover, migrate
from xiangzhi_shared.testing import fresh_database


def write(folder, name, sql):
    (folder / name).write_text(sql)


async def test_applies_in_order_once_and_records(tmp_path):
    write(tmp_path, "0002_b.sql", "INSERT INTO t VALUES (2);")
    write(tmp_path, "0001_a.sql", "CREATE TABLE t (v int);")
    async with fresh_database("mig") as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            prefix = tmp_path.parent.name
            assert await migrate(conn, tmp_path) == [f"{prefix}/0001_a.sql", f"{prefix}/0002_b.sql"]
            assert await migrate(conn, tmp_path) == []
            assert await conn.fetchval("SELECT count(*) FROM t") == 1
            names = [r["name"] for r in await conn.fetch(
                "SELECT name FROM schema_migrations ORDER BY name")]
            assert names == [f"{prefix}/0001_a.sql", f"{prefix}/0002_b.sql"]
        finally:
            await conn.close()


async def test_two_runners_at_once_apply_each_migration_once(tmp_path):
    write(tmp_path, "0001_a.sql", "CREATE TABLE t (v int); SELECT pg_sleep(0.3);")
    write(tmp_path, "0002_b.sql", "INSERT INTO t VALUES (1);")
    async with fresh_database("mig") as dsn:
        conns = [await asyncpg.connect(dsn) for _ in range(2)]
        try:
            results = await asyncio.gather(*(migrate(c, tmp_path) for c in conns))
            assert sorted(len(r) for r in results) == [0, 2]
            assert await conns[0].fetchval("SELECT count(*) FROM t") == 1
        finally:
            for c in conns:
                await c.close()


async def test_failing_migration_leaves_nothing_behind(tmp_path):
    write(tmp_path, "0001_a.sql", "CREATE TABLE t (v int);")
    write(tmp_path, "0002_bad.sql", "INSERT INTO t VALUES (1); SELECT no_such_function();")
    async with fresh_database("mig") as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            with pytest.raises(asyncpg.PostgresError):
                await migrate(conn, tmp_path)
            assert await conn.fetchval("SELECT to_regclass('t')") is None
        finally:
            await conn.close()


async def test_edited_migration_is_detected(tmp_path):
    write(tmp_path, "0001_a.sql", "CREATE TABLE t (v int);")
    async with fresh_database("mig") as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn, tmp_path)
            write(tmp_path, "0001_a.sql", "CREATE TABLE t (v bigint);")
            with pytest.raises(RuntimeError, match="edited"):
                await migrate(conn, tmp_path)
        finally:
            await conn.close()


def test_badly_named_file_is_refused(tmp_path):
    write(tmp_path, "init.sql", "SELECT 1;")
    with pytest.raises(ValueError):
        discover(tmp_path)
