"""Purchased services 购买服务 use cases: work records, monthly statements, adjustments."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import NotFound, ValidationFailed

from .clock import Clock, utc_now
from .domain import billing, scope
from .domain.tickets import text

STATEMENT_COLUMNS = """id, partner_code, period, status, work_total, adjustment_total, total,
    record_count, issued_at, created_at"""


async def record_work(conn: asyncpg.Connection, ticket: dict[str, Any], at: datetime) -> None:
    """A coordinator completed a task for the partner: bill it once, at the rate of the
    agreement in force that day (0.00 when no agreement prices the category)."""
    agreement = await conn.fetchrow(
        """SELECT a.id, r.rate FROM agreement a
           LEFT JOIN agreement_rate r ON r.agreement_id = a.id AND r.category = $2
           WHERE a.partner_code = $1 AND a.status = 'ACTIVE' AND a.starts_on <= $3
             AND $3 < a.ends_on
           ORDER BY a.starts_on DESC LIMIT 1""", ticket["partner_code"], ticket["category"],
        at.date())
    category_rate = billing.rate(agreement["rate"]) if agreement and agreement["rate"] is not None \
        else Decimal("0.00")
    await conn.execute(
        """INSERT INTO work_record (id, ticket_id, coordinator_id, partner_code, agreement_id,
               category, rate, amount, completed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (ticket_id) DO NOTHING""",
        uuid.uuid4(), ticket["id"], ticket["coordinator_id"], ticket["partner_code"],
        agreement["id"] if agreement else None, ticket["category"], category_rate,
        billing.work_amount(category_rate), at)


def _period(value: date) -> date:
    if value.day != 1:
        raise ValidationFailed("a statement period is the first day of a month", field="period")
    return value


async def fetch_statement(conn: asyncpg.Connection, statement_id: uuid.UUID,
                          lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(f"SELECT {STATEMENT_COLUMNS} FROM statement WHERE id=$1"
                              f"{' FOR UPDATE' if lock else ''}", statement_id)
    if row is None:
        raise NotFound(f"statement {statement_id} not found")
    return dict(row)


async def _refresh_totals(conn: asyncpg.Connection, statement_id: uuid.UUID) -> billing.Totals:
    works = [r["amount"] for r in await conn.fetch(
        "SELECT amount FROM work_record WHERE statement_id=$1", statement_id)]
    adjustments = [r["amount"] for r in await conn.fetch(
        "SELECT amount FROM adjustment WHERE statement_id=$1", statement_id)]
    totals = billing.statement_totals(works, adjustments)
    await conn.execute(
        """UPDATE statement SET work_total=$2, adjustment_total=$3, total=$4, record_count=$5
           WHERE id=$1""", statement_id, totals.work, totals.adjustments, totals.total,
        totals.records)
    return totals


async def prepare_statement(pool: asyncpg.Pool, p: Principal, partner: str, period: date,
                            clock: Clock = utc_now) -> dict[str, Any]:
    """The month's draft: every unbilled work record completed before the month ended (a
    late one from an earlier month included) and every pending adjustment. Preparing again
    picks up what arrived since; an issued month is final."""
    p.require("county_admin")
    period = _period(period)
    if period > billing.month_start(clock().date()):
        raise ValidationFailed("cannot prepare a statement for a future month", field="period")
    end = datetime.combine(billing.next_month(period), time(), tzinfo=UTC)
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT 1 FROM partner WHERE code=$1", partner):
            raise NotFound(f"partner {partner} not found", field="partner")
        await conn.execute(
            """INSERT INTO statement (id, partner_code, period, status) VALUES ($1, $2, $3, 'DRAFT')
               ON CONFLICT (partner_code, period) DO NOTHING""", uuid.uuid4(), partner, period)
        row = await conn.fetchrow(f"SELECT {STATEMENT_COLUMNS} FROM statement "
                                  "WHERE partner_code=$1 AND period=$2 FOR UPDATE",
                                  partner, period)
        billing.require_draft(row["status"])
        await conn.execute(
            """UPDATE work_record SET statement_id=$1 WHERE partner_code=$2
                 AND statement_id IS NULL AND completed_at < $3""", row["id"], partner, end)
        await conn.execute(
            """UPDATE adjustment SET statement_id=$1 WHERE partner_code=$2
                 AND statement_id IS NULL AND created_at < $3""", row["id"], partner, end)
        await _refresh_totals(conn, row["id"])
        return await fetch_statement(conn, row["id"])


async def issue_statement(pool: asyncpg.Pool, p: Principal, statement_id: uuid.UUID,
                          clock: Clock = utc_now) -> dict[str, Any]:
    p.require("county_admin")
    async with pool.acquire() as conn, conn.transaction():
        row = await fetch_statement(conn, statement_id, lock=True)
        billing.require_draft(row["status"])
        await _refresh_totals(conn, statement_id)  # what is issued is what the lines add up to
        await conn.execute("UPDATE statement SET status='ISSUED', issued_at=$2 WHERE id=$1",
                           statement_id, clock())
        return await fetch_statement(conn, statement_id)


async def add_adjustment(pool: asyncpg.Pool, p: Principal, partner: str, amount: Decimal,
                         reason: str, work_record_id: uuid.UUID | None) -> dict[str, Any]:
    """A correction after issue: never an edit, always a new line on the next statement."""
    p.require("county_admin")
    value = billing.money(amount)
    if value == 0:
        raise ValidationFailed("an adjustment cannot be zero", field="amount")
    why = text(reason, "reason", required=True)
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT 1 FROM partner WHERE code=$1", partner):
            raise NotFound(f"partner {partner} not found", field="partner")
        if work_record_id and not await conn.fetchval(
                "SELECT 1 FROM work_record WHERE id=$1 AND partner_code=$2", work_record_id,
                partner):
            raise NotFound(f"work record {work_record_id} not found for {partner}",
                           field="workRecordId")
        row = await conn.fetchrow(
            """INSERT INTO adjustment (id, partner_code, amount, reason, work_record_id,
                   created_by) VALUES ($1, $2, $3, $4, $5, $6)
               RETURNING id, partner_code, amount, reason, work_record_id, statement_id,
                         created_at""",
            uuid.uuid4(), partner, value, why, work_record_id, p.subject)
        return dict(row)


def require_reader(p: Principal, partner: str) -> None:
    scope.require_partner_reader(p, partner)
