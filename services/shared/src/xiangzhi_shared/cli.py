"""The command line every service shares: `python -m <service> [serve|migrate|seed]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import uvicorn

from .db import create_pool
from .migrations import SHARED_MIGRATIONS, migrate
from .service import ServiceSpec, create_app

Seeder = Callable[[asyncpg.Pool, ServiceSpec], Awaitable[str]]


async def _migrate(spec: ServiceSpec) -> list[str]:
    conn = await asyncpg.connect(spec.settings.database_url)
    try:
        return await migrate(conn, SHARED_MIGRATIONS, spec.migrations)
    finally:
        await conn.close()


async def _seed(spec: ServiceSpec, seeder: Seeder) -> str:
    await _migrate(spec)
    pool = await create_pool(spec.settings.database_url)
    try:
        return await seeder(pool, spec)
    finally:
        await pool.close()


def main(make_spec: Callable[[], ServiceSpec], seeder: Seeder | None = None,
         argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "migrate", "seed"])
    args = parser.parse_args(argv)
    spec = make_spec()
    logging.basicConfig(level=spec.settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "migrate":
        applied = asyncio.run(_migrate(spec))
        print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    elif args.command == "seed":
        if seeder is None:
            print("this service has no demo data")
            return 0
        print(asyncio.run(_seed(spec, seeder)))
    else:
        uvicorn.run(create_app(spec), host=spec.settings.host, port=spec.settings.port,
                    log_level=spec.settings.log_level, proxy_headers=False)
    return 0


def migrations_folder(package_file: str) -> Path:
    return Path(package_file).parent / "migrations"
