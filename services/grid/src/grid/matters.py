"""Matter use cases: each is one transaction that locks the matter, applies a domain
transition, writes the step and its event to the outbox, or writes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, NotFound
from xiangzhi_shared.ids import parse_id

from . import events
from .clock import Clock, utc_now
from .domain import matters as rules
from .domain import scope
from .domain.matters import Matter, MatterCategory, MatterStatus, Transition

MATTER_COLUMNS = """m.id, m.title, m.description, m.location, m.category, m.status, m.region_id,
    m.region_code, m.village_id, m.responsible_code, m.escalation_level, m.reporter_id,
    m.reported_by, m.assignee_id, m.handling_record, m.closing_summary, m.satisfaction,
    m.followup_remark, m.due_at, m.reported_at, m.accepted_at, m.closed_at, m.followed_up_at,
    m.created_at, m.updated_at"""


def to_domain(row: dict[str, Any]) -> Matter:
    return Matter(
        status=MatterStatus(row["status"]), category=MatterCategory(row["category"]),
        region_code=row["region_code"], responsible_code=row["responsible_code"],
        reported_at=row["reported_at"], due_at=row["due_at"], assignee_id=row["assignee_id"],
        handling_record=row["handling_record"], closing_summary=row["closing_summary"],
        satisfaction=row["satisfaction"], escalation_level=row["escalation_level"])


async def fetch_matter(conn: asyncpg.Connection, matter_id: uuid.UUID,
                       lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"SELECT {MATTER_COLUMNS} FROM matter m WHERE m.id = $1{' FOR UPDATE' if lock else ''}",
        matter_id)
    if row is None:
        raise NotFound(f"matter {matter_id} not found")
    return dict(row)


async def record_transition(conn: asyncpg.Connection, row: dict[str, Any], t: Transition,
                            actor: str, at: datetime, extra: dict[str, Any] | None = None
                            ) -> dict[str, Any]:
    """Writes a transition the domain allowed: the matter row, its step, its event. The
    caller holds the matter's row lock (fetch_matter(lock=True)) in the same transaction."""
    m = t.matter
    updated = {**row, "status": m.status.value, "responsible_code": m.responsible_code,
               "escalation_level": m.escalation_level, "due_at": m.due_at,
               "assignee_id": m.assignee_id, "handling_record": m.handling_record,
               "closing_summary": m.closing_summary, "satisfaction": m.satisfaction,
               "updated_at": at, **(extra or {})}
    await conn.execute(
        """UPDATE matter SET status=$2, responsible_code=$3, escalation_level=$4, due_at=$5,
               assignee_id=$6, handling_record=$7, closing_summary=$8, satisfaction=$9,
               followup_remark=$10, accepted_at=$11, closed_at=$12, followed_up_at=$13,
               updated_at=$14
           WHERE id=$1""",
        row["id"], updated["status"], updated["responsible_code"], updated["escalation_level"],
        updated["due_at"], updated["assignee_id"], updated["handling_record"],
        updated["closing_summary"], updated["satisfaction"], updated["followup_remark"],
        updated["accepted_at"], updated["closed_at"], updated["followed_up_at"], at)
    await _step(conn, updated, t, actor, at)
    return updated


async def _step(conn: asyncpg.Connection, row: dict[str, Any], t: Transition, actor: str,
                at: datetime) -> None:
    await conn.execute(
        "INSERT INTO matter_step (matter_id, change, status, actor, note, at) "
        "VALUES ($1, $2, $3, $4, $5, $6)", row["id"], t.change, row["status"], actor, t.note, at)
    await events.matter_changed(conn, row, t.change, actor, t.note, at)


async def report(pool: asyncpg.Pool, p: Principal, *, title: str, description: str | None,
                 category: MatterCategory, region_id: str, location: str | None,
                 reporter_id: str | None, clock: Clock = utc_now) -> dict[str, Any]:
    """A resident reports in their own name; staff report in scope, optionally for a resident."""
    p.require("resident", *scope.MATTER_WORKERS)
    title = rules.validate_title(title)
    description = rules.validate_description(description)
    location = rules.validate_location(location)
    region_uuid = parse_id(region_id, "regionId")
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        region = await conn.fetchrow("SELECT id, code, level FROM region WHERE id=$1", region_uuid)
        if region is None:
            raise NotFound(f"region {region_id} not found", field="regionId")
        t = rules.report(category, region["code"], now)
        if scope.resident_scope(p) is not None:
            reporter = parse_id(p.subject, "subject")
            home = await conn.fetchval(
                "SELECT g.code FROM resident r JOIN region g ON g.id = r.grid_id WHERE r.id=$1",
                reporter)
            if home is None or rules.village_of(home) != t.matter.responsible_code:
                raise Forbidden("residents report matters in their own village")
        else:
            p.require_region(region["code"])
            reporter = parse_id(reporter_id, "reporterId") if reporter_id else None
            if reporter and not await conn.fetchval("SELECT 1 FROM resident WHERE id=$1",
                                                    reporter):
                raise NotFound(f"resident {reporter_id} not found", field="reporterId")
        village_id = await conn.fetchval("SELECT id FROM region WHERE code=$1",
                                         t.matter.responsible_code)
        row = {"id": uuid.uuid4(), "title": title, "description": description,
               "location": location, "category": category.value, "status": t.matter.status.value,
               "region_id": region_uuid, "region_code": region["code"], "village_id": village_id,
               "responsible_code": t.matter.responsible_code, "escalation_level": 0,
               "reporter_id": reporter, "reported_by": p.subject, "assignee_id": None,
               "handling_record": None, "closing_summary": None, "satisfaction": None,
               "followup_remark": None, "due_at": None, "reported_at": now, "accepted_at": None,
               "closed_at": None, "followed_up_at": None, "created_at": now, "updated_at": now}
        await conn.execute(
            """INSERT INTO matter (id, title, description, location, category, status, region_id,
                   region_code, village_id, responsible_code, reporter_id, reported_by,
                   reported_at, created_at, updated_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13,$13)""",
            row["id"], title, description, location, category.value, row["status"], region_uuid,
            region["code"], village_id, row["responsible_code"], reporter, p.subject, now)
        await _step(conn, row, t, p.subject, now)
        return row


async def transition(pool: asyncpg.Pool, p: Principal, matter_id: str, action: str,
                     clock: Clock = utc_now, **args: Any) -> dict[str, Any]:
    """accept | assign | handle | close | follow_up, by staff in scope."""
    p.require(*scope.MATTER_WORKERS)
    mid = parse_id(matter_id, "id")
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await fetch_matter(conn, mid, lock=True)
        scope.require_work_matter(p, row["region_code"])
        m = to_domain(row)
        extra: dict[str, Any] = {}
        if action == "accept":
            t = rules.accept(m, now)
            extra["accepted_at"] = now
        elif action == "assign":
            t = rules.assign(m, str(args["assignee_id"]).strip())
        elif action == "handle":
            t = rules.handle(m, args["record"])
        elif action == "close":
            t = rules.close(m, args.get("summary"))
            extra["closed_at"] = now
        elif action == "follow_up":
            t = rules.follow_up(m, args["satisfaction"], args.get("remark"))
            extra["followed_up_at"] = now
            extra["followup_remark"] = t.note
        else:  # a programming error, not a caller's
            raise ValueError(action)
        return await record_transition(conn, row, t, p.subject, now, extra)


async def escalate_overdue(pool: asyncpg.Pool, now: datetime, limit: int = 500) -> int:
    """Moves every overdue open matter one level up. Returns how many escalated."""
    escalated = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"""SELECT {MATTER_COLUMNS} FROM matter m
                WHERE m.status IN ('REPORTED','ACCEPTED','ASSIGNED','HANDLED') AND m.due_at < $1
                  AND m.responsible_code LIKE '%.%'  -- the county has no level above
                ORDER BY m.due_at LIMIT $2 FOR UPDATE SKIP LOCKED""", now, limit)
        for record in rows:
            row = dict(record)
            t = rules.escalate(to_domain(row), now)
            if t is not None:
                await record_transition(conn, row, t, "scheduler", now)
                escalated += 1
    return escalated
