"""供销消薄 targets and arranged loans 组织落实贷款.

The township sets each village an annual trade target through the co-op; progress is the
village's actual trade in that year: inputs paid for, produce sold to the co-op (amount
payable to the farmers), and services completed. Loans the township arranges for a village's
collective or farmers are tracked until repaid in full.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from . import idempotency
from .clock import Clock, utc_now
from .domain import money, scope
from .organisation import member_village

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"year must be between {MIN_YEAR} and {MAX_YEAR}", field="year")
    return year


async def trade_by_village(conn: asyncpg.Connection, root: str, year: int) -> dict[str, dict]:
    """Actual trade of each village under `root` in `year`, by line of business."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = await conn.fetch(
        """SELECT village_code, 'inputs' AS line, sum(total) AS amount FROM sales_order
             WHERE status='PAID' AND paid_at >= $2 AND paid_at < $3
               AND (village_code = $1 OR village_code LIKE $1 || '.%') GROUP BY 1
           UNION ALL
           SELECT village_code, 'produce', sum(amount_payable) FROM purchase_lot
             WHERE weighed_at >= $2 AND weighed_at < $3
               AND (village_code = $1 OR village_code LIKE $1 || '.%') GROUP BY 1
           UNION ALL
           SELECT village_code, 'services', sum(amount) FROM service_booking
             WHERE status='COMPLETED' AND completed_at >= $2 AND completed_at < $3
               AND (village_code = $1 OR village_code LIKE $1 || '.%') GROUP BY 1""",
        root, start, end)
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.setdefault(r["village_code"], {"inputs": Decimal("0.00"),
                                                   "produce": Decimal("0.00"),
                                                   "services": Decimal("0.00")})
        entry[r["line"]] = r["amount"]
    for entry in out.values():
        entry["total"] = entry["inputs"] + entry["produce"] + entry["services"]
    return out


def empty_trade() -> dict[str, Decimal]:
    zero = Decimal("0.00")
    return {"inputs": zero, "produce": zero, "services": zero, "total": zero}


async def set_target(pool: asyncpg.Pool, p: Principal, *, village_code: str, year: int,
                     amount: Decimal, clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*scope.TARGET_SETTERS)
    amount = money.positive(amount, "amount")
    _year(year)
    async with pool.acquire() as conn, conn.transaction():
        village = await member_village(conn, village_code)
        p.require_region(village["code"])
        await conn.execute(
            """INSERT INTO village_target (village_code, year, amount, set_by, set_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (village_code, year) DO UPDATE SET amount=EXCLUDED.amount,
                   set_by=EXCLUDED.set_by, set_at=EXCLUDED.set_at""",
            village["code"], year, amount, p.subject, clock())
    return (await targets(pool, p, year=year, region_code=village["code"]))[0]


async def targets(pool: asyncpg.Pool, p: Principal, *, year: int,
                  region_code: str | None) -> list[dict[str, Any]]:
    root = scope.read_root(p, region_code)
    _year(year)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """SELECT t.village_code, t.year, t.amount, v.name FROM village_target t
               JOIN member_village v ON v.code = t.village_code
               WHERE t.year=$2 AND (t.village_code = $1 OR t.village_code LIKE $1 || '.%')
               ORDER BY t.village_code""", root, year)
        trade = await trade_by_village(conn, root, year)
    out = []
    for r in rows:
        achieved = trade.get(r["village_code"], empty_trade())["total"]
        out.append({"village_code": r["village_code"], "village_name": r["name"],
                    "year": year, "target": r["amount"], "achieved": achieved,
                    "progress_percent": money.to_fen(achieved * 100 / r["amount"])})
    return out


LOAN_SELECT = "SELECT * FROM arranged_loan"


async def arrange_loan(pool: asyncpg.Pool, p: Principal, *, village_code: str, borrower: str,
                       lender: str, principal: Decimal, annual_rate: Decimal, due_on: date,
                       clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*scope.TARGET_SETTERS)
    principal = money.positive(principal, "principal")
    rate = money.rate(annual_rate, "annualRate")
    borrower, lender = (borrower or "").strip(), (lender or "").strip()
    if not borrower or len(borrower) > 100:
        raise ValidationFailed("borrower must be 1 to 100 characters", field="borrower")
    if not lender or len(lender) > 100:
        raise ValidationFailed("lender must be 1 to 100 characters", field="lender")
    now = clock()
    if due_on <= now.date():
        raise ValidationFailed("dueOn must be in the future", field="dueOn")
    async with pool.acquire() as conn, conn.transaction():
        village = await member_village(conn, village_code)
        p.require_region(village["code"])
        row = await conn.fetchrow(
            """INSERT INTO arranged_loan (id, village_code, borrower, lender, principal,
                   annual_rate, arranged_at, due_on, status, arranged_by)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'OUTSTANDING',$9) RETURNING *""",
            uuid.uuid4(), village["code"], borrower, lender, principal, rate, now, due_on,
            p.subject)
        return dict(row)


async def record_repayment(pool: asyncpg.Pool, p: Principal, loan_id: str, *, amount: Decimal,
                           idempotency_key: str, clock: Clock = utc_now) -> dict[str, Any]:
    p.require(*scope.TARGET_SETTERS)
    key = idempotency.validate_key(idempotency_key)
    if key is None:
        raise ValidationFailed("idempotencyKey is required", field="idempotencyKey")
    amount = money.positive(amount, "amount")
    lid = parse_id(loan_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        loan = await conn.fetchrow(f"{LOAN_SELECT} WHERE id=$1 FOR UPDATE", lid)
        if loan is None:
            raise NotFound(f"loan {loan_id} not found")
        p.require_region(loan["village_code"])
        replay = await idempotency.claim(conn, key, p.subject, "repayLoan",
                                         {"loan": str(lid), "amount": str(amount)})
        if replay is not None:
            return dict(await conn.fetchrow(f"{LOAN_SELECT} WHERE id=$1", lid))
        outstanding = loan["principal"] - loan["repaid"]
        if amount > outstanding:
            raise ValidationFailed(f"the repayment exceeds the outstanding {outstanding}",
                                   field="amount")
        repayment_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO loan_repayment (id, loan_id, amount, paid_at, recorded_by)
               VALUES ($1, $2, $3, $4, $5)""", repayment_id, lid, amount, now, p.subject)
        row = await conn.fetchrow(
            """UPDATE arranged_loan SET repaid = repaid + $2,
                   status = CASE WHEN repaid + $2 = principal THEN 'REPAID' ELSE 'OUTSTANDING' END
               WHERE id=$1 RETURNING *""", lid, amount)
        await idempotency.remember(conn, key, p.subject, repayment_id)
        return dict(row)


async def loans(pool: asyncpg.Pool, p: Principal, region_code: str | None) -> list[dict]:
    root = scope.read_root(p, region_code)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"""{LOAN_SELECT} WHERE village_code = $1 OR village_code LIKE $1 || '.%'
                ORDER BY arranged_at, id""", root)
    return [dict(r) for r in rows]


def require_village_reader(p: Principal, village_code: str) -> None:
    p.require()
    if not (p.has_role(*scope.READERS) and p.sees_region(village_code)):
        raise Forbidden(f"village {village_code} is outside your scope")
