"""Read queries of the grid service: plain SQL, scope applied in the WHERE clause."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from xiangzhi_shared.pagination import keyset_page

from .domain.matters import SLA, MatterCategory
from .matters import MATTER_COLUMNS


async def regions_by_ids(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> list[dict | None]:
    rows = {r["id"]: dict(r) for r in await conn.fetch(
        "SELECT id, code, name, level, parent_id, drawn_by FROM region WHERE id = ANY($1)", ids)}
    return [rows.get(i) for i in ids]


async def region_by_code(conn: asyncpg.Connection, code: str) -> dict | None:
    row = await conn.fetchrow(
        "SELECT id, code, name, level, parent_id, drawn_by FROM region WHERE code=$1", code)
    return dict(row) if row else None


async def subtree(conn: asyncpg.Connection, root: str, level: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT id, code, name, level, parent_id, drawn_by FROM region
           WHERE (code = $1 OR code LIKE $1 || '.%') AND ($2::text IS NULL OR level = $2)
           ORDER BY code""", root, level)
    return [dict(r) for r in rows]


async def children(conn: asyncpg.Connection, parent_id: uuid.UUID) -> list[dict]:
    rows = await conn.fetch("SELECT id, code, name, level, parent_id, drawn_by FROM region "
                            "WHERE parent_id=$1 ORDER BY code", parent_id)
    return [dict(r) for r in rows]


async def matters_page(conn: asyncpg.Connection, *, region_code: str | None,
                       reporter_id: uuid.UUID | None, statuses: list[str] | None,
                       category: str | None, overdue_at: datetime | None, limit: int,
                       after: str | None) -> tuple[list[dict], int]:
    """Newest last: keyset on (created_at, id). `region_code` or `reporter_id` scopes it."""
    where = ["($1::text IS NULL OR m.region_code = $1 OR m.region_code LIKE $1 || '.%')",
             "($2::uuid IS NULL OR m.reporter_id = $2)",
             "($3::text[] IS NULL OR m.status = ANY($3))",
             "($4::text IS NULL OR m.category = $4)",
             "($5::timestamptz IS NULL OR (m.due_at < $5 AND m.status IN "
             "('REPORTED','ACCEPTED','ASSIGNED','HANDLED')))"]
    args: list[Any] = [region_code, reporter_id, statuses, category, overdue_at]
    return await keyset_page(conn, f"SELECT {MATTER_COLUMNS} FROM matter m", where, args,
                             alias="m", limit=limit, after=after)


async def matter_steps(conn: asyncpg.Connection, matter_id: uuid.UUID) -> list[dict]:
    rows = await conn.fetch("SELECT change, status, actor, note, at FROM matter_step "
                            "WHERE matter_id=$1 ORDER BY id", matter_id)
    return [dict(r) for r in rows]


async def people(conn: asyncpg.Connection, root: str, kind: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT p.id, p.kind, p.name, p.region_id, p.responsibility_area,
                  p.demonstration_post, p.post, r.code AS region_code
           FROM person p JOIN region r ON r.id = p.region_id
           WHERE (r.code = $1 OR r.code LIKE $1 || '.%') AND ($2::text IS NULL OR p.kind = $2)
           ORDER BY r.code, p.name""", root, kind)
    return [dict(r) for r in rows]


async def person(conn: asyncpg.Connection, person_id: uuid.UUID) -> dict | None:
    row = await conn.fetchrow(
        """SELECT p.id, p.kind, p.name, p.region_id, p.responsibility_area, p.demonstration_post,
                  p.post, r.code AS region_code
           FROM person p JOIN region r ON r.id = p.region_id WHERE p.id=$1""", person_id)
    return dict(row) if row else None


RESIDENT_COLUMNS = """r.id, r.display_name, r.grid_id, r.special_groups, h.label AS household,
    g.code AS region_code, r.created_at"""


async def resident(conn: asyncpg.Connection, resident_id: uuid.UUID) -> dict | None:
    row = await conn.fetchrow(
        f"""SELECT {RESIDENT_COLUMNS} FROM resident r JOIN household h ON h.id = r.household_id
            JOIN region g ON g.id = r.grid_id WHERE r.id=$1""", resident_id)
    return dict(row) if row else None


async def residents(conn: asyncpg.Connection, root: str, special_group: str | None,
                    limit: int, after: str | None) -> tuple[list[dict], int]:
    where = ["(g.code = $1 OR g.code LIKE $1 || '.%')",
             "($2::text IS NULL OR $2 = ANY(r.special_groups))"]
    args: list[Any] = [root, special_group]
    select = (f"SELECT {RESIDENT_COLUMNS} FROM resident r JOIN household h "
              "ON h.id = r.household_id JOIN region g ON g.id = r.grid_id")
    return await keyset_page(conn, select, where, args, alias="r", limit=limit, after=after)


async def last_visits(conn: asyncpg.Connection, resident_ids: list[uuid.UUID]) -> dict:
    rows = await conn.fetch(
        """SELECT resident_id, max(completed_at) AS at FROM service_request
           WHERE kind='VISIT' AND resident_id = ANY($1) GROUP BY resident_id""", resident_ids)
    return {r["resident_id"]: r["at"] for r in rows}


async def duty_roster(conn: asyncpg.Connection, village_id: uuid.UUID, start: Any,
                      end: Any) -> list[dict]:
    rows = await conn.fetch(
        """SELECT d.id, d.duty_date, d.shift, p.id AS cadre_id, p.name AS cadre_name, p.post
           FROM duty_shift d JOIN person p ON p.id = d.cadre_id
           WHERE d.village_id=$1 AND d.duty_date BETWEEN $2 AND $3
           ORDER BY d.duty_date, d.shift""", village_id, start, end)
    return [dict(r) for r in rows]


async def list_items(conn: asyncpg.Connection, root: str, kind: str | None,
                     status: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT id, list, title, description, region_id, region_code, status, claimed_by_unit,
                  progress_percent, created_at, updated_at FROM list_item
           WHERE (region_code = $1 OR region_code LIKE $1 || '.%')
             AND ($2::text IS NULL OR list = $2) AND ($3::text IS NULL OR status = $3)
           ORDER BY created_at, id""", root, kind, status)
    return [dict(r) for r in rows]


async def service_requests(conn: asyncpg.Connection, *, root: str | None,
                           resident_id: uuid.UUID | None, kind: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT id, kind, resident_id, region_code, status, subject, scheduled_for, handler_id,
                  outcome, created_at, completed_at FROM service_request
           WHERE ($1::text IS NULL OR region_code = $1 OR region_code LIKE $1 || '.%')
             AND ($2::uuid IS NULL OR resident_id = $2) AND ($3::text IS NULL OR kind = $3)
           ORDER BY created_at, id""", root, resident_id, kind)
    return [dict(r) for r in rows]


async def region_metrics(conn: asyncpg.Connection, root: str, start: datetime,
                         end: datetime, now: datetime) -> dict[str, Any]:
    """On-time closure rate and follow-up satisfaction of matters reported in [start, end)."""
    row = await conn.fetchrow(
        """SELECT count(*) AS total,
                  count(*) FILTER (WHERE status IN ('REPORTED','ACCEPTED','ASSIGNED','HANDLED'))
                      AS open,
                  count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed,
                  count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= due_at)
                      AS closed_on_time,
                  count(*) FILTER (WHERE closed_at IS NOT NULL
                      AND (closed_at AT TIME ZONE 'Asia/Shanghai')::date
                        = (reported_at AT TIME ZONE 'Asia/Shanghai')::date) AS same_day,
                  count(*) FILTER (WHERE status = 'FOLLOWED_UP') AS followed_up,
                  avg(satisfaction) FILTER (WHERE status = 'FOLLOWED_UP') AS satisfaction,
                  count(*) FILTER (WHERE escalation_level > 0) AS escalated,
                  count(*) FILTER (WHERE due_at < $4
                      AND status IN ('REPORTED','ACCEPTED','ASSIGNED','HANDLED')) AS overdue
           FROM matter
           WHERE (region_code = $1 OR region_code LIKE $1 || '.%')
             AND reported_at >= $2 AND reported_at < $3""", root, start, end, now)
    return dict(row)


def category_sla_hours() -> dict[str, float]:
    return {c.value: SLA[c].total_seconds() / 3600 for c in MatterCategory}
