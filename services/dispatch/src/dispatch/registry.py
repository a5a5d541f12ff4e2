"""Partners' agreements and the coordinators' register (selection, joint training 镇企共训,
certificate 结业许可证, per-utility authorisation 岗位授权书): one transaction per use case."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import InvalidState, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from .clock import Clock, utc_now
from .domain import billing, scope
from .domain.categories import TicketCategory
from .domain.coordinators import (
    Background,
    Certificate,
    require_certified,
    validate_authorisation,
)
from .domain.tickets import TITLE_MAX, text

COORDINATOR_COLUMNS = """c.id, c.name, c.village_id, c.village_code, c.background,
    c.selected_on, c.selection_note, c.active, c.created_at"""


async def _partner(conn: asyncpg.Connection, code: str) -> None:
    if not await conn.fetchval("SELECT 1 FROM partner WHERE code=$1", code):
        raise NotFound(f"partner {code} not found", field="partner")


async def fetch_coordinator(conn: asyncpg.Connection, coordinator_id: uuid.UUID,
                            lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(f"SELECT {COORDINATOR_COLUMNS} FROM coordinator c WHERE c.id=$1"
                              f"{' FOR UPDATE' if lock else ''}", coordinator_id)
    if row is None:
        raise NotFound(f"coordinator {coordinator_id} not found")
    return dict(row)


async def sign_agreement(pool: asyncpg.Pool, p: Principal, *, partner: str, title: str,
                         scope_items: list[str], starts_on: date, ends_on: date,
                         rates: dict[TicketCategory, Decimal]) -> dict[str, Any]:
    """合作协议 with the district: planning, enforcement authorisation, joint service,
    assessment; with the purchased-service rate per task category."""
    p.require("county_admin")
    title_ = text(title, "title", required=True, limit=TITLE_MAX)
    items = [i for i in (text(s, "scopeItems", required=False, limit=TITLE_MAX)
                         for s in scope_items) if i]
    if ends_on <= starts_on:
        raise ValidationFailed("an agreement must end after it starts", field="endsOn")
    priced = {c: billing.rate(r) for c, r in rates.items()}
    async with pool.acquire() as conn, conn.transaction():
        await _partner(conn, partner)
        agreement_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO agreement (id, partner_code, title, scope_items, starts_on, ends_on,
                   status) VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE')""",
            agreement_id, partner, title_, items, starts_on, ends_on)
        await conn.executemany(
            "INSERT INTO agreement_rate (agreement_id, category, rate) VALUES ($1, $2, $3)",
            [(agreement_id, c.value, r) for c, r in priced.items()])
        return dict(await conn.fetchrow("SELECT * FROM agreement WHERE id=$1", agreement_id))


async def register_coordinator(pool: asyncpg.Pool, p: Principal, *, person_id: str,
                               village_id: str, name: str, background: Background,
                               selected_on: date, selection_note: str | None) -> dict[str, Any]:
    """Selection 选聘: a coordinator post in a village, filled by a person (their id is the
    subject of their token)."""

    pid, vid = parse_id(person_id, "personId"), parse_id(village_id, "villageId")
    name_ = text(name, "name", required=True, limit=100)
    note = text(selection_note, "selectionNote", required=False)
    async with pool.acquire() as conn, conn.transaction():
        village = await conn.fetchrow("SELECT id, code FROM place WHERE id=$1 AND level='VILLAGE'",
                                      vid)
        if village is None:
            raise NotFound(f"village {village_id} is not served by dispatch", field="villageId")
        scope.require_admin_in(p, village["code"])
        inserted = await conn.fetchval(
            """INSERT INTO coordinator (id, name, village_id, village_code, background,
                   selected_on, selection_note) VALUES ($1,$2,$3,$4,$5,$6,$7)
               ON CONFLICT (id) DO NOTHING RETURNING true""",
            pid, name_, vid, village["code"], background.value, selected_on, note)
        if not inserted:
            raise InvalidState(f"person {person_id} is already a coordinator")
        return await fetch_coordinator(conn, pid)


async def _coordinator_in_scope(conn: asyncpg.Connection, p: Principal,
                                coordinator_id: str) -> dict[str, Any]:

    row = await fetch_coordinator(conn, parse_id(coordinator_id, "coordinatorId"), lock=True)
    scope.require_admin_in(p, row["village_code"])
    return row


async def record_training(pool: asyncpg.Pool, p: Principal, coordinator_id: str, *,
                          course: str, partner: str | None, completed_on: date) -> dict[str, Any]:
    """镇企共训: joint training by the township and a company."""
    course_ = text(course, "course", required=True, limit=TITLE_MAX)
    async with pool.acquire() as conn, conn.transaction():
        row = await _coordinator_in_scope(conn, p, coordinator_id)
        if partner:
            await _partner(conn, partner)
        await conn.execute(
            "INSERT INTO training (id, coordinator_id, course, partner_code, completed_on) "
            "VALUES ($1, $2, $3, $4, $5)", uuid.uuid4(), row["id"], course_, partner,
            completed_on)
        return row


async def certify(pool: asyncpg.Pool, p: Principal, coordinator_id: str, *, number: str,
                  issued_on: date, expires_on: date | None) -> dict[str, Any]:
    """结业许可证: only after joint training; replaces an earlier certificate."""
    number_ = text(number, "number", required=True, limit=64)
    if expires_on is not None and expires_on <= issued_on:
        raise ValidationFailed("a certificate must expire after it is issued", field="expiresOn")
    async with pool.acquire() as conn, conn.transaction():
        row = await _coordinator_in_scope(conn, p, coordinator_id)
        if not await conn.fetchval("SELECT 1 FROM training WHERE coordinator_id=$1", row["id"]):
            raise InvalidState("a coordinator is certified only after joint training (镇企共训)")
        await conn.execute(
            """INSERT INTO certificate (coordinator_id, number, issued_on, expires_on)
               VALUES ($1, $2, $3, $4) ON CONFLICT (coordinator_id) DO UPDATE
               SET number=EXCLUDED.number, issued_on=EXCLUDED.issued_on,
                   expires_on=EXCLUDED.expires_on, revoked_at=NULL""",
            row["id"], number_, issued_on, expires_on)
        return row


async def authorise(pool: asyncpg.Pool, p: Principal, coordinator_id: str, *, partner: str,
                    categories: list[TicketCategory], valid_from: datetime | None,
                    expires_at: datetime, clock: Clock = utc_now) -> dict[str, Any]:
    """岗位授权书 from one partner for a scope of general task categories until an expiry."""
    now = clock()
    start = valid_from or now
    scope_ = frozenset(categories)
    validate_authorisation(scope_, start, expires_at)
    async with pool.acquire() as conn, conn.transaction():
        row = await _coordinator_in_scope(conn, p, coordinator_id)
        await _partner(conn, partner)
        cert = await conn.fetchrow("SELECT issued_on, expires_on, revoked_at FROM certificate "
                                   "WHERE coordinator_id=$1", row["id"])
        require_certified(Certificate(**dict(cert)) if cert else None, now)
        auth = await conn.fetchrow(
            """INSERT INTO authorisation (id, coordinator_id, partner_code, scope, valid_from,
                   expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
            uuid.uuid4(), row["id"], partner, sorted(c.value for c in scope_), start, expires_at)
        return dict(auth)


async def revoke_authorisation(pool: asyncpg.Pool, p: Principal, authorisation_id: str,
                               clock: Clock = utc_now) -> dict[str, Any]:
    """Takes effect at once: routing reads authorisations at the moment it routes."""

    aid = parse_id(authorisation_id)
    async with pool.acquire() as conn, conn.transaction():
        auth = await conn.fetchrow("SELECT * FROM authorisation WHERE id=$1 FOR UPDATE", aid)
        if auth is None:
            raise NotFound(f"authorisation {authorisation_id} not found")
        await _coordinator_in_scope(conn, p, str(auth["coordinator_id"]))
        if auth["revoked_at"] is not None:
            raise InvalidState("the authorisation is already revoked")
        return dict(await conn.fetchrow(
            "UPDATE authorisation SET revoked_at=$2 WHERE id=$1 RETURNING *", aid, clock()))
