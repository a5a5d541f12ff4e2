"""Settlement 结算 of a base co-op for a finished period (see domain/settlement.py for the
formula). Published once per (base co-op, period) as SettlementPublished on
coop.settlement.v1; the shares service distributes it over the co-op's register. Settling the
same period again returns the first settlement and publishes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal

from . import events
from .clock import Clock, utc_now
from .domain import scope
from .domain.periods import Period, parse_period, require_closed
from .domain.settlement import TradeTotals, settle
from .organisation import base_coop

SETTLEMENT_SELECT = """SELECT s.*, c.region_code AS township_code, c.name AS coop_name
                       FROM settlement s JOIN coop c ON c.id = s.coop_id"""


async def trade_totals(conn: asyncpg.Connection, coop_id: uuid.UUID,
                       period: Period) -> TradeTotals:
    row = await conn.fetchrow(
        """SELECT
             (SELECT coalesce(sum(total), 0) FROM sales_order WHERE coop_id=$1 AND status='PAID'
                AND paid_at >= $2 AND paid_at < $3) AS order_revenue,
             (SELECT coalesce(sum(cost), 0) FROM sales_order WHERE coop_id=$1 AND status='PAID'
                AND paid_at >= $2 AND paid_at < $3) AS order_cost,
             (SELECT coalesce(sum(resale_amount), 0) FROM purchase_lot WHERE coop_id=$1
                AND weighed_at >= $2 AND weighed_at < $3) AS produce_revenue,
             (SELECT coalesce(sum(amount_payable), 0) FROM purchase_lot WHERE coop_id=$1
                AND weighed_at >= $2 AND weighed_at < $3) AS produce_cost,
             (SELECT coalesce(sum(amount), 0) FROM service_booking WHERE coop_id=$1
                AND status='COMPLETED' AND completed_at >= $2 AND completed_at < $3)
                AS service_revenue,
             (SELECT coalesce(sum(round(area_mu * cost_per_mu, 2)), 0) FROM service_booking
                WHERE coop_id=$1 AND status='COMPLETED' AND completed_at >= $2
                AND completed_at < $3) AS service_cost""",
        coop_id, period.start, period.end)
    return TradeTotals(**dict(row))


async def settle_period(pool: asyncpg.Pool, p: Principal, *, coop_id: str, period: str,
                        clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*scope.COOP_STAFF)
    per = parse_period(period)
    now = clock()
    require_closed(per, now)
    async with pool.acquire() as conn, conn.transaction():
        coop = await base_coop(conn, coop_id)
        scope.require_coop_staff(p, coop["region_code"])
        result = settle(await trade_totals(conn, coop["id"], per))
        # The unique (coop, period) decides: a concurrent or later settle inserts nothing
        # and so enqueues nothing.
        row = await conn.fetchrow(
            """INSERT INTO settlement (id, coop_id, period, period_start, period_end, revenue,
                   cost, distributable_profit, settled_by, settled_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
               ON CONFLICT (coop_id, period) DO NOTHING RETURNING *""",
            uuid.uuid4(), coop["id"], per.label, per.start, per.end, result.revenue, result.cost,
            result.distributable_profit, p.subject, now)
        if row is not None:
            await events.settlement_published(conn, dict(row), coop["region_code"])
        return dict(await conn.fetchrow(f"{SETTLEMENT_SELECT} WHERE s.coop_id=$1 AND s.period=$2",
                                        coop["id"], per.label))


async def settlements(pool: asyncpg.Pool, p: Principal, coop_id: str | None) -> list[dict]:
    p.require(*scope.READERS)
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"{SETTLEMENT_SELECT} ORDER BY s.period_start, c.region_code")
    return [dict(r) for r in rows
            if p.sees_region(r["township_code"]) and (coop_id is None or str(r["coop_id"]) == coop_id)]
