"""Produce purchases 农产品收购: a lot is weighed at the base co-op, priced by its grade's price
valid that day, and the amount payable to the farmer is weight × price rounded once,
ROUND_HALF_UP, to the fen. Every lot gets a numbered receipt; paying the farmer is a
separate, idempotent step."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from . import events, idempotency
from .catalogue import price_on
from .clock import Clock, utc_now
from .domain import money, scope
from .domain import trade as rules
from .domain.trade import LotStatus
from .organisation import base_coop, member_village

LOT_SELECT = """SELECT l.*, c.region_code AS township_code, c.name AS coop_name,
                       p.code AS produce_code, p.name AS produce_name
                FROM purchase_lot l JOIN coop c ON c.id = l.coop_id
                JOIN produce p ON p.id = l.produce_id"""


async def fetch_lot(conn: asyncpg.Connection, lot_id: uuid.UUID,
                    lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(f"{LOT_SELECT} WHERE l.id=$1{' FOR UPDATE OF l' if lock else ''}",
                              lot_id)
    if row is None:
        raise NotFound(f"purchase lot {lot_id} not found")
    return dict(row)


def can_read(p: Principal, lot: dict[str, Any]) -> bool:
    if p.has_role("coop_staff", "township_admin", "county_admin") and \
            p.sees_region(lot["township_code"]):
        return True
    if p.has_role("village_cadre") and p.sees_region(lot["village_code"]):
        return True
    return p.has_role("resident") and str(lot["farmer_id"]) == p.subject


def require_read(p: Principal, lot: dict[str, Any]) -> None:
    p.require()
    if not can_read(p, lot):
        raise Forbidden("this purchase is outside your scope")


async def _next_receipt_no(conn: asyncpg.Connection, coop: dict[str, Any], year: int) -> str:
    n = await conn.fetchval(
        """INSERT INTO receipt_counter (coop_id, year, last_no) VALUES ($1, $2, 1)
           ON CONFLICT (coop_id, year) DO UPDATE SET last_no = receipt_counter.last_no + 1
           RETURNING last_no""", coop["id"], year)
    return f"{coop['region_code']}-{year}-{n:06d}"


async def record(pool: asyncpg.Pool, p: Principal, *, coop_id: str, farmer_id: str,
                 village_code: str, produce_code: str, grade: str, weight_kg: Decimal,
                 idempotency_key: str | None = None, clock: Clock = utc_now) -> dict[str, Any]:
    """The weigh station records a lot: only the co-op's own staff (or the county)."""
    p.require(*scope.COOP_STAFF)
    key = idempotency.validate_key(idempotency_key)
    grade = rules.validate_grade(grade)
    weight = rules.validate_weight(weight_kg)
    fid = parse_id(farmer_id, "farmerId")
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        coop = await base_coop(conn, coop_id)
        scope.require_coop_staff(p, coop["region_code"])
        village = await member_village(conn, village_code)
        produce = await conn.fetchrow("SELECT id, code FROM produce WHERE code=$1",
                                      (produce_code or "").strip().upper())
        if produce is None:
            raise NotFound(f"produce {produce_code} not found", field="produceCode")
        request = {"coop": str(coop["id"]), "farmer": str(fid), "village": village["code"],
                   "produce": produce["code"], "grade": grade, "weight": str(weight)}
        replay = await idempotency.claim(conn, key, p.subject, "recordPurchase", request)
        if replay is not None:
            return await fetch_lot(conn, replay)
        price = await price_on(conn, coop["id"], produce["id"], grade, now.date())
        if price is None:
            raise InvalidState(f"no purchase price for {produce['code']} grade {grade} on "
                               f"{now.date()}", field="grade")
        lot_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO purchase_lot (id, coop_id, farmer_id, village_code, produce_id, grade,
                   weight_kg, price_per_kg, resale_per_kg, amount_payable, resale_amount,
                   receipt_no, status, weighed_by, weighed_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)""",
            lot_id, coop["id"], fid, village["code"], produce["id"], grade, weight,
            price["price_per_kg"], price["resale_per_kg"],
            money.line_amount(weight, price["price_per_kg"]),
            money.line_amount(weight, price["resale_per_kg"]),
            await _next_receipt_no(conn, coop, now.year), LotStatus.RECORDED.value, p.subject,
            now)
        lot = await fetch_lot(conn, lot_id)
        await events.lot_changed(conn, lot, "recorded", p.subject, now)
        await idempotency.remember(conn, key, p.subject, lot_id)
        return lot


async def pay(pool: asyncpg.Pool, p: Principal, lot_id: str, *, idempotency_key: str,
              clock: Clock = utc_now) -> dict[str, Any]:
    """Pays the farmer the lot's amount, once."""
    p.require(*scope.COOP_STAFF)
    key = idempotency.validate_key(idempotency_key)
    if key is None:
        raise ValidationFailed("idempotencyKey is required to pay", field="idempotencyKey")
    lid = parse_id(lot_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        lot = await fetch_lot(conn, lid)
        scope.require_coop_staff(p, lot["township_code"])
        replay = await idempotency.claim(conn, key, p.subject, "payPurchase", {"lot": str(lid)})
        if replay is not None:
            return await fetch_lot(conn, lid)
        lot = await fetch_lot(conn, lid, lock=True)
        status = rules.pay_lot(LotStatus(lot["status"]))
        await conn.execute("UPDATE purchase_lot SET status=$2, paid_at=$3 WHERE id=$1",
                           lid, status.value, now)
        lot.update(status=status.value, paid_at=now)
        await events.lot_changed(conn, lot, "paid", p.subject, now)
        await idempotency.remember(conn, key, p.subject, lid)
        return lot


def receipt_text(lot: dict[str, Any]) -> str:
    """The printed receipt 收购凭证 handed to the farmer."""
    return "\n".join([
        f"{lot['coop_name']} 农产品收购凭证 No. {lot['receipt_no']}",
        f"品名 {lot['produce_name']}  等级 {lot['grade']}",
        f"重量 {lot['weight_kg']} kg × 单价 {lot['price_per_kg']} 元/kg",
        f"应付金额 {lot['amount_payable']} 元 ({'已付' if lot['status'] == 'PAID' else '未付'})",
        f"过磅时间 {lot['weighed_at'].isoformat(timespec='minutes')}",
    ])
