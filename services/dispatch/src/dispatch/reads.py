"""Read queries of the dispatch service: plain SQL, scope applied in the WHERE clause."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from xiangzhi_shared.pagination import keyset_page

from .registry import COORDINATOR_COLUMNS
from .tickets import TICKET_COLUMNS, TICKET_FROM


@dataclass(frozen=True)
class TicketScope:
    """Exactly one way the caller may see tickets (see domain.scope)."""

    region_code: str | None = None
    partner: str | None = None
    coordinator_or_reporter: str | None = None
    reporter_id: str | None = None


async def tickets_page(conn: asyncpg.Connection, s: TicketScope, *, partner: str | None,
                       statuses: list[str] | None, category: str | None,
                       overdue_at: datetime | None, limit: int,
                       after: str | None) -> tuple[list[dict], int]:
    coord = uuid.UUID(s.coordinator_or_reporter) if s.coordinator_or_reporter else None
    where = ["($1::text IS NULL OR t.region_code = $1 OR t.region_code LIKE $1 || '.%')",
             "($2::text IS NULL OR t.partner_code = $2)",
             "($3::uuid IS NULL OR t.coordinator_id = $3 OR t.reporter_id = $3::text)",
             "($4::text IS NULL OR t.reporter_id = $4)",
             "($5::text IS NULL OR t.partner_code = $5)",
             "($6::text[] IS NULL OR t.status = ANY($6))",
             "($7::text IS NULL OR t.category = $7)",
             "($8::timestamptz IS NULL OR (t.due_at < $8 AND t.status IN "
             "('REPORTED','ROUTED','ACCEPTED','IN_PROGRESS','REOPENED')))"]
    args: list[Any] = [s.region_code, s.partner, coord, s.reporter_id, partner, statuses,
                       category, overdue_at]
    return await keyset_page(conn, f"SELECT {TICKET_COLUMNS} FROM {TICKET_FROM}", where, args,
                             alias="t", limit=limit, after=after)


async def tickets_of_matters(conn: asyncpg.Connection, matter_ids: list[uuid.UUID]) -> list[dict]:
    rows = await conn.fetch(f"SELECT {TICKET_COLUMNS} FROM {TICKET_FROM} "
                            "WHERE t.matter_id = ANY($1) ORDER BY t.created_at", matter_ids)
    return [dict(r) for r in rows]


async def ticket_steps(conn: asyncpg.Connection, ticket_id: uuid.UUID) -> list[dict]:
    rows = await conn.fetch("SELECT change, status, actor, note, at FROM ticket_step "
                            "WHERE ticket_id=$1 ORDER BY id", ticket_id)
    return [dict(r) for r in rows]


async def partner_updates(conn: asyncpg.Connection, ticket_id: uuid.UUID) -> list[dict]:
    rows = await conn.fetch("SELECT event_id, status, note, specialist, outcome, detail, "
                            "received_at FROM partner_update WHERE ticket_id=$1 "
                            "ORDER BY received_at", ticket_id)
    return [dict(r) for r in rows]


async def partners(conn: asyncpg.Connection) -> list[dict]:
    return [dict(r) for r in await conn.fetch("SELECT code, name FROM partner ORDER BY code")]


async def agreements(conn: asyncpg.Connection, partner: str) -> list[dict]:
    rows = await conn.fetch(
        """SELECT a.*, coalesce((SELECT json_agg(json_build_object('category', r.category,
                  'rate', r.rate::text) ORDER BY r.category) FROM agreement_rate r
                  WHERE r.agreement_id = a.id), '[]') AS rates
           FROM agreement a WHERE a.partner_code=$1 ORDER BY a.starts_on""", partner)
    return [dict(r) for r in rows]


async def coordinators(conn: asyncpg.Connection, root: str | None,
                       only: uuid.UUID | None = None) -> list[dict]:
    rows = await conn.fetch(
        f"""SELECT {COORDINATOR_COLUMNS},
                   (SELECT count(*) FROM ticket t WHERE t.coordinator_id = c.id
                      AND t.status IN ('ROUTED','ACCEPTED','IN_PROGRESS')) AS open_load
            FROM coordinator c
            WHERE ($1::text IS NULL OR c.village_code = $1 OR c.village_code LIKE $1 || '.%')
              AND ($2::uuid IS NULL OR c.id = $2)
            ORDER BY c.village_code, c.name""", root, only)
    return [dict(r) for r in rows]


async def certificate(conn: asyncpg.Connection, coordinator_id: uuid.UUID) -> dict | None:
    row = await conn.fetchrow("SELECT * FROM certificate WHERE coordinator_id=$1", coordinator_id)
    return dict(row) if row else None


async def trainings(conn: asyncpg.Connection, coordinator_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        "SELECT * FROM training WHERE coordinator_id=$1 ORDER BY completed_on", coordinator_id)]


async def authorisations(conn: asyncpg.Connection, coordinator_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        "SELECT * FROM authorisation WHERE coordinator_id=$1 ORDER BY partner_code, valid_from",
        coordinator_id)]


async def statements(conn: asyncpg.Connection, partner: str) -> list[dict]:
    from .purchased import STATEMENT_COLUMNS

    return [dict(r) for r in await conn.fetch(
        f"SELECT {STATEMENT_COLUMNS} FROM statement WHERE partner_code=$1 ORDER BY period",
        partner)]


async def work_records(conn: asyncpg.Connection, *, statement_id: uuid.UUID | None,
                       partner: str | None = None, unbilled: bool = False) -> list[dict]:
    rows = await conn.fetch(
        """SELECT * FROM work_record
           WHERE ($1::uuid IS NULL OR statement_id = $1) AND ($2::text IS NULL OR partner_code=$2)
             AND (NOT $3 OR statement_id IS NULL)
           ORDER BY completed_at, id""", statement_id, partner, unbilled)
    return [dict(r) for r in rows]


async def adjustments(conn: asyncpg.Connection, statement_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        "SELECT * FROM adjustment WHERE statement_id=$1 ORDER BY created_at, id", statement_id)]


async def meetings(conn: asyncpg.Connection, *, root: str | None,
                   partner: str | None) -> list[dict]:
    rows = await conn.fetch(
        """SELECT * FROM meeting
           WHERE ($1::text IS NULL OR region_code = $1 OR region_code LIKE $1 || '.%'
                  OR $1 LIKE region_code || '.%')
             AND ($2::text IS NULL OR $2 = ANY(partner_codes))
           ORDER BY held_on DESC, id""", root, partner)
    return [dict(r) for r in rows]


async def action_items(conn: asyncpg.Connection, meeting_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        "SELECT * FROM action_item WHERE meeting_id=$1 ORDER BY created_at, id", meeting_id)]
