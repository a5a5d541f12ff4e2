"""Convenience-service use cases: appointments, proxy errands, special-group visits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from . import events
from .clock import Clock, utc_now
from .domain import matters as matter_rules
from .domain import services as rules
from .domain.scope import STAFF, resident_scope

COLUMNS = """id, kind, resident_id, region_code, status, subject, scheduled_for, handler_id,
    outcome, created_at, completed_at"""


async def request(pool: asyncpg.Pool, p: Principal, *, kind: rules.ServiceKind, subject: str,
                  resident_id: str | None, scheduled_for: datetime | None,
                  clock: Clock = utc_now) -> dict[str, Any]:
    """A resident asks for themself; staff (or a party member) act on a resident's behalf.
    A VISIT is recorded by staff only."""
    p.require("resident", *STAFF)
    subject = matter_rules.validate_title(subject)
    now = clock()
    rules.request(kind, scheduled_for, now)
    own = resident_scope(p)
    if own is not None:
        if kind is rules.ServiceKind.VISIT:
            raise Forbidden("visits are recorded by staff")
        resident_id = own
    if not resident_id:
        raise ValidationFailed("residentId is required", field="residentId")
    rid = parse_id(resident_id, "residentId")
    async with pool.acquire() as conn, conn.transaction():
        code = await conn.fetchval(
            "SELECT g.code FROM resident r JOIN region g ON g.id=r.grid_id WHERE r.id=$1", rid)
        if code is None:
            raise NotFound(f"resident {resident_id} not found", field="residentId")
        if own is None:
            p.require_region(code)
        is_visit = kind is rules.ServiceKind.VISIT
        row = dict(await conn.fetchrow(
            f"""INSERT INTO service_request (id, kind, resident_id, region_code, status, subject,
                    scheduled_for, handler_id, created_at, completed_at, outcome)
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING {COLUMNS}""",
            uuid.uuid4(), kind.value, rid, code,
            (rules.ServiceStatus.COMPLETED if is_visit else rules.ServiceStatus.REQUESTED).value,
            subject, scheduled_for, p.subject if is_visit else None, now,
            now if is_visit else None, subject if is_visit else None))
        await events.service_changed(conn, row, "visited" if is_visit else "requested", now)
        return row


async def finish(pool: asyncpg.Pool, p: Principal, request_id: str, outcome: rules.ServiceStatus,
                 note: str | None, clock: Clock = utc_now) -> dict[str, Any]:
    """Staff complete a request; the resident who asked may cancel it."""
    p.require("resident", *STAFF)
    note = matter_rules.validate_description(note)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(f"SELECT {COLUMNS} FROM service_request WHERE id=$1 FOR UPDATE",
                                  parse_id(request_id))
        if row is None:
            raise NotFound(f"service request {request_id} not found")
        own = resident_scope(p)
        if own is not None:
            if str(row["resident_id"]) != own or outcome is not rules.ServiceStatus.CANCELLED:
                raise Forbidden("residents may only cancel their own requests")
        else:
            p.require_region(row["region_code"])
        status = rules.finish(rules.ServiceStatus(row["status"]), outcome)
        row = dict(await conn.fetchrow(
            f"""UPDATE service_request SET status=$2, outcome=$3, handler_id=$4, completed_at=$5
                WHERE id=$1 RETURNING {COLUMNS}""", row["id"], status.value, note, p.subject, now))
        await events.service_changed(conn, row, status.value.lower(), now)
        return row
