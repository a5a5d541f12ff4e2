"""Input sales 农资销售: an order reserves stock, then is paid or cancelled (which puts the
stock back). Each use case is one transaction: state, stock and outbox event, or nothing.

Stock never goes negative, however many buyers race for the last units: each line is taken
with one conditional `UPDATE stock SET qty = qty - n WHERE qty >= n`, which PostgreSQL runs
under the row's lock, so of fifty racing orders for ten units exactly ten find the rows they
need; the CHECK (qty >= 0) on the table is the backstop.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from . import events, idempotency
from .clock import Clock, utc_now
from .domain import scope
from .domain import trade as rules
from .domain.trade import BuyerKind, OrderStatus
from .organisation import base_coop, member_village, party_for

PAYMENT_METHODS = ("CASH", "BANK_TRANSFER", "MOBILE")


async def fetch_order(conn: asyncpg.Connection, order_id: uuid.UUID,
                      lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"""SELECT o.*, c.region_code AS township_code FROM sales_order o
            JOIN coop c ON c.id = o.coop_id WHERE o.id=$1{' FOR UPDATE OF o' if lock else ''}""",
        order_id)
    if row is None:
        raise NotFound(f"order {order_id} not found")
    return dict(row)


async def order_lines(conn: asyncpg.Connection, order_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT l.*, i.sku, i.name FROM order_line l JOIN input_item i ON i.id = l.item_id
           WHERE l.order_id=$1 ORDER BY i.sku""", order_id)
    return [dict(r) for r in rows]


def can_read(p: Principal, order: dict[str, Any]) -> bool:
    if p.has_role("coop_staff", "township_admin", "county_admin") and \
            p.sees_region(order["township_code"]):
        return True
    if p.has_role("village_cadre") and p.sees_region(order["village_code"]):
        return True
    return p.has_role("resident") and str(order["buyer_id"]) == p.subject


def require_read(p: Principal, order: dict[str, Any]) -> None:
    p.require()
    if not can_read(p, order):
        raise Forbidden("this order is outside your scope")


def _require_act(p: Principal, order: dict[str, Any]) -> None:
    """Paying or cancelling: the buyer, their village committee, or the co-op's staff."""
    if p.has_role(*scope.COOP_STAFF) and p.sees_region(order["township_code"]):
        return
    if p.has_role("village_cadre") and p.sees_region(order["village_code"]):
        return
    if p.has_role("resident") and order["buyer_kind"] == "FARMER" and \
            str(order["buyer_id"]) == p.subject:
        return
    raise Forbidden("this order is outside your scope")


async def place(pool: asyncpg.Pool, p: Principal, *, coop_id: str,
                lines: list[tuple[str, int]], buyer: BuyerKind = BuyerKind.FARMER,
                farmer_id: str | None = None, village_code: str | None = None,
                idempotency_key: str | None = None, clock: Clock = utc_now) -> dict[str, Any]:
    party = party_for(p, buyer=buyer, farmer_id=farmer_id, village_code=village_code)
    key = idempotency.validate_key(idempotency_key)
    rules.validate_lines(lines)
    item_ids = [parse_id(i, "itemId") for i, _ in lines]
    wanted = dict(zip(item_ids, (q for _, q in lines), strict=True))
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        coop = await base_coop(conn, coop_id)
        if party.acting_as_staff:
            scope.require_coop_staff(p, coop["region_code"])
        village = await member_village(conn, party.village_code)
        request = {"coop": str(coop["id"]), "lines": sorted((str(i), q) for i, q in wanted.items()),
                   "buyer": buyer.value, "farmer": str(party.id), "village": village["code"]}
        replay = await idempotency.claim(conn, key, p.subject, "placeOrder", request)
        if replay is not None:
            return await fetch_order(conn, replay)
        items = {r["id"]: dict(r) for r in await conn.fetch(
            """SELECT i.id, i.sku, i.unit_price, d.rate FROM input_item i
               LEFT JOIN discount_rule d ON d.item_id = i.id WHERE i.id = ANY($1)""", item_ids)}
        for iid in item_ids:
            if iid not in items:
                raise NotFound(f"input item {iid} not found", field="itemId")
        priced = []
        # A fixed order of rows: two multi-line orders never wait on each other in a cycle.
        for iid in sorted(item_ids):
            taken = await conn.fetchrow(
                """UPDATE stock SET qty = qty - $3, updated_at = $4
                   WHERE coop_id=$1 AND item_id=$2 AND qty >= $3 RETURNING qty, unit_cost""",
                coop["id"], iid, wanted[iid], now)
            if taken is None:
                left = await conn.fetchval("SELECT qty FROM stock WHERE coop_id=$1 AND item_id=$2",
                                           coop["id"], iid)
                raise InvalidState(f"not enough {items[iid]['sku']} in stock: "
                                   f"{left or 0} left, {wanted[iid]} wanted",
                                   field="quantity", available=left or 0)
            priced.append(rules.price_line(iid, wanted[iid], items[iid]["unit_price"],
                                           taken["unit_cost"], buyer, items[iid]["rate"]))
        order = {"id": uuid.uuid4(), "coop_id": coop["id"], "township_code": coop["region_code"],
                 "buyer_kind": buyer.value, "buyer_id": party.id or village["id"],
                 "village_code": village["code"], "status": OrderStatus.RESERVED.value,
                 "total": sum((li.amount for li in priced), start=Decimal(0)),
                 "discount": sum((li.discount for li in priced), start=Decimal(0)),
                 "cost": sum((li.cost for li in priced), start=Decimal(0)),
                 "placed_by": p.subject, "placed_at": now}
        await conn.execute(
            """INSERT INTO sales_order (id, coop_id, buyer_kind, buyer_id, village_code, status,
                   total, discount, cost, placed_by, placed_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)""",
            order["id"], order["coop_id"], order["buyer_kind"], order["buyer_id"],
            order["village_code"], order["status"], order["total"], order["discount"],
            order["cost"], order["placed_by"], now)
        await conn.executemany(
            """INSERT INTO order_line (order_id, item_id, quantity, list_price, unit_price,
                   unit_cost, amount) VALUES ($1,$2,$3,$4,$5,$6,$7)""",
            [(order["id"], li.item_id, li.quantity, li.list_price, li.unit_price, li.unit_cost,
              li.amount) for li in priced])
        await events.order_changed(conn, order, await order_lines(conn, order["id"]), "placed",
                                   p.subject, now)
        await idempotency.remember(conn, key, p.subject, order["id"])
        return await fetch_order(conn, order["id"])


async def pay(pool: asyncpg.Pool, p: Principal, order_id: str, *, idempotency_key: str,
              method: str = "CASH", clock: Clock = utc_now) -> dict[str, Any]:
    """Records the payment of a reserved order: one payment per order, ever."""
    p.require()
    key = idempotency.validate_key(idempotency_key)
    if key is None:
        raise ValidationFailed("idempotencyKey is required to pay", field="idempotencyKey")
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(f"method must be one of {', '.join(PAYMENT_METHODS)}",
                               field="method")
    oid = parse_id(order_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        order = await fetch_order(conn, oid)
        _require_act(p, order)
        replay = await idempotency.claim(conn, key, p.subject, "payOrder",
                                         {"order": str(oid), "method": method})
        if replay is not None:
            return await fetch_order(conn, oid)
        order = await fetch_order(conn, oid, lock=True)
        status = rules.pay(OrderStatus(order["status"]))
        payment_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO payment (id, order_id, amount, method, paid_by, paid_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            payment_id, oid, order["total"], method, p.subject, now)
        await conn.execute("UPDATE sales_order SET status=$2, paid_at=$3 WHERE id=$1",
                           oid, status.value, now)
        order.update(status=status.value, paid_at=now)
        await events.order_changed(conn, order, await order_lines(conn, oid), "paid",
                                   p.subject, now)
        await idempotency.remember(conn, key, p.subject, payment_id)
        return order


async def cancel(pool: asyncpg.Pool, p: Principal, order_id: str,
                 clock: Clock = utc_now) -> dict[str, Any]:
    """Cancels a reserved order and returns its units to the shelf."""
    p.require()
    oid = parse_id(order_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        order = await fetch_order(conn, oid, lock=True)
        _require_act(p, order)
        status = rules.cancel(OrderStatus(order["status"]))
        lines = await order_lines(conn, oid)
        for li in sorted(lines, key=lambda li: li["item_id"]):
            await conn.execute(
                """UPDATE stock SET qty = qty + $3, updated_at = $4
                   WHERE coop_id=$1 AND item_id=$2""", order["coop_id"], li["item_id"],
                li["quantity"], now)
        await conn.execute("UPDATE sales_order SET status=$2, cancelled_at=$3 WHERE id=$1",
                           oid, status.value, now)
        order.update(status=status.value, cancelled_at=now)
        await events.order_changed(conn, order, lines, "cancelled", p.subject, now)
        return order
