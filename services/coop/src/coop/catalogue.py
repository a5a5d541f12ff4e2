"""The catalogue: farm inputs 农资 and their stock per base co-op, produce purchase prices by
grade and validity period, and the service teams with their daily capacity."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Conflict, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from .clock import Clock, utc_now
from .domain import money, scope
from .domain.trade import ServiceKind, validate_grade
from .organisation import base_coop

MAX_TEXT = 100


def _text(value: str, field: str) -> str:
    v = (value or "").strip()
    if not v or len(v) > MAX_TEXT:
        raise ValidationFailed(f"{field} must be 1 to {MAX_TEXT} characters", field=field)
    return v


async def input_item(conn: asyncpg.Connection, item_id: str | uuid.UUID,
                     field: str = "itemId") -> dict[str, Any]:
    iid = item_id if isinstance(item_id, uuid.UUID) else parse_id(item_id, field)
    row = await conn.fetchrow("SELECT * FROM input_item WHERE id=$1", iid)
    if row is None:
        raise NotFound(f"input item {item_id} not found", field=field)
    return dict(row)


async def add_input_item(pool: asyncpg.Pool, p: Principal, *, sku: str, name: str,
                         category: str, unit: str, unit_price: Decimal,
                         item_id: uuid.UUID | None = None) -> dict[str, Any]:
    """The county keeps one catalogue of inputs."""
    scope.require_county(p)
    sku, name = _text(sku, "sku").upper(), _text(name, "name")
    category, unit = _text(category, "category").upper(), _text(unit, "unit")
    price = money.positive(unit_price, "unitPrice")
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            """INSERT INTO input_item (id, sku, name, category, unit, unit_price)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sku) DO NOTHING RETURNING *""",
            item_id or uuid.uuid4(), sku, name, category, unit, price)
    if row is None:
        raise Conflict(f"an item with sku {sku} exists", field="sku")
    return dict(row)


async def receive_stock(pool: asyncpg.Pool, p: Principal, *, coop_id: str, item_id: str,
                        quantity: int, unit_cost: Decimal, clock: Clock = utc_now
                        ) -> dict[str, Any]:
    """Goods arrive at a base co-op's warehouse; the unit cost becomes a moving average."""
    money.quantity(quantity)
    cost = money.non_negative(unit_cost, "unitCost", places=4)
    async with pool.acquire() as conn, conn.transaction():
        coop = await base_coop(conn, coop_id)
        scope.require_coop_staff(p, coop["region_code"])
        item = await input_item(conn, item_id)
        row = await conn.fetchrow(
            """INSERT INTO stock (coop_id, item_id, qty, unit_cost, updated_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (coop_id, item_id) DO UPDATE SET
                   unit_cost = round((stock.qty * stock.unit_cost + EXCLUDED.qty * EXCLUDED.unit_cost)
                                     / (stock.qty + EXCLUDED.qty), 4),
                   qty = stock.qty + EXCLUDED.qty, updated_at = EXCLUDED.updated_at
               RETURNING coop_id, item_id, qty, unit_cost""",
            coop["id"], item["id"], quantity, cost, clock())
        return dict(row)


async def set_produce_price(pool: asyncpg.Pool, p: Principal, *, coop_id: str, produce_code: str,
                            grade: str, price_per_kg: Decimal, resale_per_kg: Decimal,
                            valid_from: date, valid_to: date) -> dict[str, Any]:
    """A grade's purchase price for a period; a later-starting price wins where they overlap."""
    grade = validate_grade(grade)
    price = money.positive(price_per_kg, "pricePerKg")
    resale = money.non_negative(resale_per_kg, "resalePerKg")
    if valid_to < valid_from:
        raise ValidationFailed("validTo is before validFrom", field="validTo")
    async with pool.acquire() as conn, conn.transaction():
        coop = await base_coop(conn, coop_id)
        scope.require_coop_staff(p, coop["region_code"])
        produce = await conn.fetchrow("SELECT id FROM produce WHERE code=$1",
                                      (produce_code or "").strip().upper())
        if produce is None:
            raise NotFound(f"produce {produce_code} not found", field="produceCode")
        row = await conn.fetchrow(
            """INSERT INTO produce_price (id, coop_id, produce_id, grade, price_per_kg,
                                          resale_per_kg, valid_from, valid_to)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
            uuid.uuid4(), coop["id"], produce["id"], grade, price, resale, valid_from, valid_to)
        return dict(row)


async def price_on(conn: asyncpg.Connection, coop_id: uuid.UUID, produce_id: uuid.UUID,
                   grade: str, day: date) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """SELECT * FROM produce_price
           WHERE coop_id=$1 AND produce_id=$2 AND grade=$3 AND valid_from <= $4 AND valid_to >= $4
           ORDER BY valid_from DESC, created_at DESC LIMIT 1""", coop_id, produce_id, grade, day)
    return dict(row) if row else None


async def add_service_team(pool: asyncpg.Pool, p: Principal, *, coop_id: str, kind: ServiceKind,
                           name: str, capacity_mu: Decimal, price_per_mu: Decimal,
                           cost_per_mu: Decimal, team_id: uuid.UUID | None = None
                           ) -> dict[str, Any]:
    name = _text(name, "name")
    capacity = money.positive(capacity_mu, "capacityMu", limit=Decimal("100000"))
    price = money.non_negative(price_per_mu, "pricePerMu")
    cost = money.non_negative(cost_per_mu, "costPerMu")
    async with pool.acquire() as conn, conn.transaction():
        coop = await base_coop(conn, coop_id)
        scope.require_coop_staff(p, coop["region_code"])
        row = await conn.fetchrow(
            """INSERT INTO service_team (id, coop_id, kind, name, capacity_mu, price_per_mu,
                                         cost_per_mu)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
            team_id or uuid.uuid4(), coop["id"], kind.value, name, capacity, price, cost)
        return dict(row)


async def set_discount_rule(pool: asyncpg.Pool, p: Principal, *, item_id: str, rate: Decimal,
                            clock: Clock = utc_now) -> dict[str, Any]:
    """让利: the county sets the discount collectives get on an input."""
    scope.require_county(p)
    r = money.rate(rate)
    async with pool.acquire() as conn, conn.transaction():
        item = await input_item(conn, item_id)
        row = await conn.fetchrow(
            """INSERT INTO discount_rule (item_id, rate, set_by, set_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (item_id) DO UPDATE SET rate=EXCLUDED.rate, set_by=EXCLUDED.set_by,
                   set_at=EXCLUDED.set_at
               RETURNING *""", item["id"], r, p.subject, clock())
        return dict(row)
