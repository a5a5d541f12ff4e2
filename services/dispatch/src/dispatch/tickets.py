"""Ticket use cases: each is one transaction that locks the ticket, applies the domain's
transition(s), writes the steps and their events to the outbox, or writes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from . import events, purchased
from .clock import Clock, utc_now
from .domain import scope
from .domain import tickets as rules
from .domain.categories import TicketCategory
from .domain.coordinators import Authorisation, Candidate, Certificate
from .domain.routing import RouteKind, route_ticket
from .domain.tickets import Ticket, TicketStatus, Transition

TICKET_COLUMNS = """t.id, t.partner_code, t.category, t.status, t.title, t.description, t.location,
    t.photo_refs, t.village_id, t.village_code, t.grid_id, t.region_code, t.matter_id,
    t.reporter_id, t.reporter_role, t.route, t.coordinator_id, t.resolution, t.due_at,
    t.reported_at, t.routed_at, t.resolved_at, t.confirmed_at, t.reopened_at, t.overdue_at,
    t.created_at, t.updated_at, v.name AS village_name"""
TICKET_FROM = "ticket t JOIN place v ON v.id = t.village_id"


def to_domain(row: dict[str, Any]) -> Ticket:
    return Ticket(status=TicketStatus(row["status"]), category=TicketCategory(row["category"]),
                  partner=row["partner_code"], reported_at=row["reported_at"],
                  due_at=row["due_at"], route=RouteKind(row["route"]) if row["route"] else None,
                  coordinator_id=str(row["coordinator_id"]) if row["coordinator_id"] else None,
                  resolution=row["resolution"], reopened_at=row["reopened_at"])


def facts(row: dict[str, Any]) -> dict[str, Any]:
    """What the scope rules need to know about a ticket."""
    return {"region_code": row["region_code"], "partner": row["partner_code"],
            "reporter_id": row["reporter_id"],
            "coordinator_id": str(row["coordinator_id"]) if row["coordinator_id"] else None}


async def fetch_ticket(conn: asyncpg.Connection, ticket_id: uuid.UUID,
                       lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"SELECT {TICKET_COLUMNS} FROM {TICKET_FROM} WHERE t.id = $1"
        f"{' FOR UPDATE OF t' if lock else ''}", ticket_id)
    if row is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return dict(row)


async def _write(conn: asyncpg.Connection, row: dict[str, Any], t: Transition, actor: str,
                 at: datetime) -> dict[str, Any]:
    k = t.ticket
    stamps = {"routed": "routed_at", "escalated": "routed_at", "resolved": "resolved_at",
              "confirmed": "confirmed_at", "reopened": "reopened_at"}
    updated = {**row, "status": k.status.value, "category": k.category.value,
               "route": k.route.value if k.route else None,
               "coordinator_id": uuid.UUID(k.coordinator_id) if k.coordinator_id else None,
               "resolution": k.resolution, "due_at": k.due_at, "updated_at": at}
    if t.change in stamps:
        updated[stamps[t.change]] = at
    if t.change in ("reopened", "escalated"):
        updated["overdue_at"] = None  # a fresh deadline
    await conn.execute(
        """UPDATE ticket SET status=$2, category=$3, route=$4, coordinator_id=$5, resolution=$6,
               due_at=$7, routed_at=$8, resolved_at=$9, confirmed_at=$10, reopened_at=$11,
               overdue_at=$12, updated_at=$13 WHERE id=$1""",
        row["id"], updated["status"], updated["category"], updated["route"],
        updated["coordinator_id"], updated["resolution"], updated["due_at"],
        updated["routed_at"], updated["resolved_at"], updated["confirmed_at"],
        updated["reopened_at"], updated["overdue_at"], at)
    await _step(conn, updated, t, actor, at)
    if t.change == "resolved" and updated["route"] == RouteKind.COORDINATOR.value:
        await purchased.record_work(conn, updated, at)
    return updated


async def _step(conn: asyncpg.Connection, row: dict[str, Any], t: Transition, actor: str,
                at: datetime) -> None:
    await conn.execute(
        "INSERT INTO ticket_step (ticket_id, change, status, actor, note, at) "
        "VALUES ($1, $2, $3, $4, $5, $6)", row["id"], t.change, row["status"], actor, t.note, at)
    await events.ticket_changed(conn, row, t.change, actor, t.note, at)


async def candidates(conn: asyncpg.Connection, village_code: str) -> list[Candidate]:
    """The village's coordinators with what routing needs. Locks them, so two tickets routed
    at once see each other's load."""
    rows = await conn.fetch(
        """SELECT c.id, c.active, cert.issued_on, cert.expires_on, cert.revoked_at,
                  (SELECT count(*) FROM ticket t WHERE t.coordinator_id = c.id
                     AND t.status IN ('ROUTED','ACCEPTED','IN_PROGRESS')) AS open_load,
                  coalesce((SELECT json_agg(json_build_object(
                         'partner', a.partner_code, 'scope', a.scope, 'from', a.valid_from,
                         'until', a.expires_at, 'revoked', a.revoked_at))
                     FROM authorisation a WHERE a.coordinator_id = c.id), '[]') AS auths
           FROM coordinator c LEFT JOIN certificate cert ON cert.coordinator_id = c.id
           WHERE c.village_code = $1 ORDER BY c.id FOR UPDATE OF c""", village_code)
    out = []
    for r in rows:
        cert = Certificate(r["issued_on"], r["expires_on"], r["revoked_at"]) \
            if r["issued_on"] else None
        auths = tuple(Authorisation(
            partner=a["partner"], scope=frozenset(TicketCategory(s) for s in a["scope"]),
            valid_from=datetime.fromisoformat(a["from"]),
            expires_at=datetime.fromisoformat(a["until"]),
            revoked_at=datetime.fromisoformat(a["revoked"]) if a["revoked"] else None)
            for a in r["auths"])
        out.append(Candidate(str(r["id"]), r["active"], cert, auths, r["open_load"]))
    return out


async def _route(conn: asyncpg.Connection, row: dict[str, Any], actor: str,
                 at: datetime) -> dict[str, Any]:
    ticket = to_domain(row)
    chosen = route_ticket(ticket.category, ticket.partner,
                          await candidates(conn, row["village_code"]), at)
    return await _write(conn, row, rules.route(ticket, chosen), actor, at)


async def _place(conn: asyncpg.Connection, place_id: uuid.UUID, level: str,
                 field: str) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT id, code, name FROM place WHERE id=$1 AND level=$2",
                              place_id, level)
    if row is None:
        raise NotFound(f"{level.lower()} {place_id} is not served by dispatch", field=field)
    return row


async def create(conn: asyncpg.Connection, *, partner: str, category: TicketCategory,
                 title: str, description: str | None, location: str | None,
                 photo_refs: list[str], village: asyncpg.Record, grid_id: uuid.UUID | None,
                 region_code: str, reporter_id: str, reporter_role: str, actor: str,
                 matter_id: uuid.UUID | None, now: datetime) -> dict[str, Any]:
    """Writes a reported ticket and routes it at once, in the caller's transaction."""
    if not await conn.fetchval("SELECT 1 FROM partner WHERE code=$1", partner):
        raise NotFound(f"partner {partner} not found", field="partner")
    t = rules.report(category, partner, now)
    row: dict[str, Any] = {
        "id": uuid.uuid4(), "partner_code": partner, "category": category.value,
        "status": t.ticket.status.value, "title": title, "description": description,
        "location": location, "photo_refs": photo_refs, "village_id": village["id"],
        "village_code": village["code"], "village_name": village["name"], "grid_id": grid_id,
        "region_code": region_code, "matter_id": matter_id, "reporter_id": reporter_id,
        "reporter_role": reporter_role, "route": None, "coordinator_id": None,
        "resolution": None, "due_at": t.ticket.due_at, "reported_at": now, "routed_at": None,
        "resolved_at": None, "confirmed_at": None, "reopened_at": None, "overdue_at": None,
        "created_at": now, "updated_at": now}
    await conn.execute(
        """INSERT INTO ticket (id, partner_code, category, status, title, description, location,
               photo_refs, village_id, village_code, grid_id, region_code, matter_id,
               reporter_id, reporter_role, due_at, reported_at, created_at, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17,$17)""",
        row["id"], partner, category.value, row["status"], title, description, location,
        photo_refs, village["id"], village["code"], grid_id, region_code, matter_id,
        reporter_id, reporter_role, row["due_at"], now)
    await _step(conn, row, t, actor, now)
    return await _route(conn, row, "router", now)


def _primary_role(p: Principal) -> str:
    for role in scope.REPORTERS:
        if p.has_role(role):
            return role
    return "unknown"


async def report(pool: asyncpg.Pool, p: Principal, *, partner: str, category: TicketCategory,
                 village_id: str, grid_id: str | None, title: str, description: str | None,
                 location: str | None, photo_refs: list[str] | None,
                 clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*scope.REPORTERS)
    title_ = rules.text(title, "title", required=True, limit=rules.TITLE_MAX) or ""
    description_ = rules.text(description, "description", required=False)
    location_ = rules.text(location, "location", required=False, limit=rules.TITLE_MAX)
    photos = rules.photo_refs(photo_refs)
    vid = parse_id(village_id, "villageId")
    gid = parse_id(grid_id, "gridId") if grid_id else None
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        village = await _place(conn, vid, "VILLAGE", "villageId")
        region_code = village["code"]
        if gid is not None:
            grid = await _place(conn, gid, "GRID", "gridId")
            if not grid["code"].startswith(village["code"] + "."):
                raise ValidationFailed("the grid is not in that village", field="gridId")
            region_code = grid["code"]
        scope.require_report_in(p, village["code"], region_code)
        return await create(conn, partner=partner, category=category, title=title_,
                            description=description_, location=location_, photo_refs=photos,
                            village=village, grid_id=gid, region_code=region_code,
                            reporter_id=p.subject, reporter_role=_primary_role(p),
                            actor=p.subject, matter_id=None, now=now)


async def work(pool: asyncpg.Pool, p: Principal, ticket_id: str, target: TicketStatus,
               note: str | None, clock: Clock = utc_now) -> dict[str, Any]:
    """accept / start / resolve by the coordinator or partner staff it is routed to."""
    tid = parse_id(ticket_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await fetch_ticket(conn, tid, lock=True)
        scope.require_read_ticket(p, **facts(row))
        scope.require_work_ticket(p, route=row["route"], partner=row["partner_code"],
                                  coordinator_id=facts(row)["coordinator_id"])
        ticket = to_domain(row)
        if target is TicketStatus.ACCEPTED:
            step = rules.accept(ticket)
        elif target is TicketStatus.IN_PROGRESS:
            step = rules.start(ticket, note)
        else:
            step = rules.resolve(ticket, note or "")
        return await _write(conn, row, step, p.subject, now)


async def escalate(pool: asyncpg.Pool, p: Principal, ticket_id: str, category: TicketCategory,
                   reason: str, clock: Clock = utc_now) -> dict[str, Any]:
    """The coordinator hands professional work over to the partner's specialists."""
    tid = parse_id(ticket_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await fetch_ticket(conn, tid, lock=True)
        scope.require_read_ticket(p, **facts(row))
        scope.require_work_ticket(p, route=row["route"], partner=row["partner_code"],
                                  coordinator_id=facts(row)["coordinator_id"])
        return await _write(conn, row, rules.escalate(to_domain(row), category, reason),
                            p.subject, now)


async def confirm_or_reopen(pool: asyncpg.Pool, p: Principal, ticket_id: str, *, reopen: bool,
                            reason: str | None = None, clock: Clock = utc_now) -> dict[str, Any]:
    tid = parse_id(ticket_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await fetch_ticket(conn, tid, lock=True)
        scope.require_reporter_or_admin(p, reporter_id=row["reporter_id"],
                                        region_code=row["region_code"])
        ticket = to_domain(row)
        if not reopen:
            return await _write(conn, row, rules.confirm(ticket), p.subject, now)
        row = await _write(conn, row, rules.reopen(ticket, reason or "", now), p.subject, now)
        return await _route(conn, row, "router", now)


async def mark_overdue(pool: asyncpg.Pool, now: datetime, limit: int = 500) -> int:
    """Overdue detection: each open ticket past its deadline is marked once and announced
    (change "overdue"), so the partner and the township see it."""
    marked = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"""SELECT {TICKET_COLUMNS} FROM {TICKET_FROM}
                WHERE t.status IN ('REPORTED','ROUTED','ACCEPTED','IN_PROGRESS','REOPENED')
                  AND t.due_at < $1 AND t.overdue_at IS NULL
                ORDER BY t.due_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED""", now, limit)
        for record in rows:
            row = dict(record)
            if not rules.is_overdue(to_domain(row), now):
                continue
            await conn.execute("UPDATE ticket SET overdue_at=$2 WHERE id=$1", row["id"], now)
            row["overdue_at"] = now
            await events.ticket_changed(conn, row, "overdue", "scheduler",
                                        f"past its deadline {row['due_at'].isoformat()}", now)
            marked += 1
    return marked
