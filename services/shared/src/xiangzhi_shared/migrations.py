"""Ordered SQL migrations: `NNNN_name.sql` files applied once each, recorded in a table.

Safe when two pods start at once: the runner holds a transaction-scoped advisory lock, so the
second waits and then finds everything applied. Each file runs in the same transaction as its
record, so a failing migration leaves neither half behind.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# An arbitrary constant: every service's runner takes the same lock in its own database.
_LOCK_KEY = 0x58_5A_4D_49  # "XZMI"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(folder: Path) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file name must look like 0001_name.sql: {path.name}")
        # Recorded as "<package>/<file>": the shared tables and the service's own never clash.
        found.append(Migration(int(m.group(1)), f"{folder.parent.name}/{path.name}",
                               path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration versions in {folder}")
    return found


async def migrate(conn: asyncpg.Connection, *folders: Path) -> list[str]:
    """Applies pending migrations from the folders (shared ones first); returns their names."""
    migrations = [m for folder in folders for m in discover(folder)]
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {r["name"]: r["checksum"] for r in
                await conn.fetch("SELECT name, checksum FROM schema_migrations")}
        for m in migrations:
            if m.name in done:
                if done[m.name] != m.checksum:
                    raise RuntimeError(f"migration {m.name} was edited after it was applied")
                continue
            await conn.execute(m.sql)
            await conn.execute("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                               m.name, m.checksum)
            applied_now.append(m.name)
    return applied_now


SHARED_MIGRATIONS = Path(__file__).parent / "migrations"
