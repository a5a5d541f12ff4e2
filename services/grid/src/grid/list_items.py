"""三张清单 use cases: publish an item, a unit claims it, progress is tracked to done."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import NotFound
from xiangzhi_shared.ids import parse_id

from . import events
from .clock import Clock, utc_now
from .domain import lists as rules
from .domain import matters as matter_rules
from .domain.scope import LIST_MANAGERS

COLUMNS = """id, list, title, description, region_id, region_code, status, claimed_by_unit,
    progress_percent, created_at, updated_at"""


async def publish(pool: asyncpg.Pool, p: Principal, *, kind: rules.ListKind, title: str,
                  description: str | None, region_id: str, clock: Clock = utc_now
                  ) -> dict[str, Any]:
    p.require(*LIST_MANAGERS)
    title = matter_rules.validate_title(title)
    description = matter_rules.validate_description(description)
    rid = parse_id(region_id, "regionId")
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        code = await conn.fetchval("SELECT code FROM region WHERE id=$1", rid)
        if code is None:
            raise NotFound(f"region {region_id} not found", field="regionId")
        p.require_region(code)
        row = dict(await conn.fetchrow(
            f"""INSERT INTO list_item (id, list, title, description, region_id, region_code,
                    status, created_at, updated_at)
                VALUES ($1,$2,$3,$4,$5,$6,'OPEN',$7,$7) RETURNING {COLUMNS}""",
            uuid.uuid4(), kind.value, title, description, rid, code, now))
        await events.list_item_changed(conn, row, "published", now)
        return row


async def _locked(conn: asyncpg.Connection, p: Principal, item_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM list_item WHERE id=$1 FOR UPDATE",
                              parse_id(item_id))
    if row is None:
        raise NotFound(f"list item {item_id} not found")
    p.require_region(row["region_code"])
    return dict(row)


async def claim(pool: asyncpg.Pool, p: Principal, item_id: str, unit: str,
                clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*LIST_MANAGERS)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, p, item_id)
        status = rules.claim(rules.ListItemStatus(row["status"]), unit)
        row = dict(await conn.fetchrow(
            f"""UPDATE list_item SET status=$2, claimed_by_unit=$3, updated_at=$4 WHERE id=$1
                RETURNING {COLUMNS}""", row["id"], status.value, unit.strip(), now))
        await events.list_item_changed(conn, row, "claimed", now)
        return row


async def record_progress(pool: asyncpg.Pool, p: Principal, item_id: str, percent: int,
                          note: str | None, clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*LIST_MANAGERS)
    note = matter_rules.validate_description(note)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, p, item_id)
        status = rules.progress(rules.ListItemStatus(row["status"]), row["progress_percent"],
                                percent)
        row = dict(await conn.fetchrow(
            f"""UPDATE list_item SET status=$2, progress_percent=$3, updated_at=$4 WHERE id=$1
                RETURNING {COLUMNS}""", row["id"], status.value, percent, now))
        await conn.execute("INSERT INTO list_progress (item_id, percent, note, actor, at) "
                           "VALUES ($1,$2,$3,$4,$5)", row["id"], percent, note, p.subject, now)
        change = "completed" if status is rules.ListItemStatus.DONE else "progressed"
        await events.list_item_changed(conn, row, change, now)
        return row
