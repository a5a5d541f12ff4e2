"""Read queries: plain SQL, with the caller's scope applied in the WHERE clause."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.ids import parse_id
from xiangzhi_shared.pagination import keyset_page

from .bookings import BOOKING_SELECT
from .domain import scope
from .organisation import COOP_COLUMNS
from .purchases import LOT_SELECT

ORDER_SELECT = """SELECT o.*, c.region_code AS township_code FROM sales_order o
                  JOIN coop c ON c.id = o.coop_id"""


@dataclass(frozen=True)
class TradeScope:
    """What a list of trade records may show the caller: their own (a farmer), their
    village's (a cadre), or their co-op's / township's / county's (staff)."""

    owner: uuid.UUID | None = None
    village: str | None = None
    township_root: str | None = None


def trade_scope(p: Principal, region_code: str | None) -> TradeScope:
    p.require("resident", *scope.READERS)
    if scope.is_farmer_only(p):
        return TradeScope(owner=parse_id(p.subject, "subject"))
    if p.has_role("village_cadre") and not p.has_role("coop_staff", "township_admin",
                                                      "county_admin"):
        village = scope.cadre_village(p)
        if region_code is not None:
            p.require_region(region_code)
        return TradeScope(village=region_code or village)
    return TradeScope(township_root=p.scope_root(region_code))


async def _page(conn: asyncpg.Connection, select: str, alias: str, owner_col: str,
                ts: TradeScope, coop_id: uuid.UUID | None, status: str | None, limit: int,
                after: str | None) -> tuple[list[dict], int]:
    where = [f"($1::uuid IS NULL OR {alias}.{owner_col} = $1)",
             f"($2::text IS NULL OR {alias}.village_code = $2 OR {alias}.village_code LIKE $2 || '.%')",
             "($3::text IS NULL OR c.region_code = $3 OR c.region_code LIKE $3 || '.%')",
             f"($4::uuid IS NULL OR {alias}.coop_id = $4)",
             f"($5::text IS NULL OR {alias}.status = $5)"]
    args: list[Any] = [ts.owner, ts.village, ts.township_root, coop_id, status]
    return await keyset_page(conn, select, where, args, alias=alias, limit=limit, after=after)


async def orders_page(conn, ts, coop_id, status, limit, after):
    return await _page(conn, ORDER_SELECT, "o", "buyer_id", ts, coop_id, status, limit, after)


async def lots_page(conn, ts, coop_id, status, limit, after):
    return await _page(conn, LOT_SELECT, "l", "farmer_id", ts, coop_id, status, limit, after)


async def bookings_page(conn, ts, coop_id, status, limit, after):
    return await _page(conn, BOOKING_SELECT, "b", "farmer_id", ts, coop_id, status, limit, after)


async def coops(conn: asyncpg.Connection) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        f"SELECT {COOP_COLUMNS} FROM coop c ORDER BY c.region_code")]


async def coops_by_ids(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> list[dict | None]:
    rows = {r["id"]: dict(r) for r in await conn.fetch(
        f"SELECT {COOP_COLUMNS} FROM coop c WHERE c.id = ANY($1)", ids)}
    return [rows.get(i) for i in ids]


async def coop_by_region(conn: asyncpg.Connection, region_id: uuid.UUID) -> dict | None:
    row = await conn.fetchrow(f"SELECT {COOP_COLUMNS} FROM coop c WHERE c.region_id=$1",
                              region_id)
    return dict(row) if row else None


async def villages_of(conn: asyncpg.Connection, coop_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        "SELECT id, code, name FROM member_village WHERE coop_id=$1 ORDER BY code", coop_id)]


async def village_by_id(conn: asyncpg.Connection, village_id: uuid.UUID) -> dict | None:
    row = await conn.fetchrow("SELECT id, code, name, coop_id FROM member_village WHERE id=$1",
                              village_id)
    return dict(row) if row else None


async def input_items(conn: asyncpg.Connection) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        """SELECT i.*, d.rate AS discount_rate FROM input_item i
           LEFT JOIN discount_rule d ON d.item_id = i.id ORDER BY i.sku""")]


async def stock_of(conn: asyncpg.Connection, coop_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        """SELECT s.*, i.sku, i.name, i.unit FROM stock s JOIN input_item i ON i.id = s.item_id
           WHERE s.coop_id=$1 ORDER BY i.sku""", coop_id)]


async def prices_of(conn: asyncpg.Connection, coop_id: uuid.UUID, on: date | None) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        """SELECT pp.*, p.code AS produce_code, p.name AS produce_name FROM produce_price pp
           JOIN produce p ON p.id = pp.produce_id
           WHERE pp.coop_id=$1 AND ($2::date IS NULL OR (pp.valid_from <= $2 AND pp.valid_to >= $2))
           ORDER BY p.code, pp.grade, pp.valid_from""", coop_id, on)]


async def teams_of(conn: asyncpg.Connection, coop_id: uuid.UUID) -> list[dict]:
    return [dict(r) for r in await conn.fetch(
        "SELECT * FROM service_team WHERE coop_id=$1 ORDER BY kind, name", coop_id)]


async def booked_on(conn: asyncpg.Connection, team_id: uuid.UUID, day: date):
    return await conn.fetchval("SELECT booked_mu FROM team_day WHERE team_id=$1 AND day=$2",
                               team_id, day)
