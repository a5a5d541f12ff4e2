"""Demand collection 需求收集: village committees file seasonal demand reports for inputs,
services and produce for sale; co-op staff and the county read them aggregated by item,
village and township; the county turns the input demand into a sourcing plan allocated to
the base co-ops, priced with the 让利 for collectives."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Conflict, InvalidState, NotFound, ValidationFailed

from .clock import Clock, utc_now
from .domain import planning, scope
from .domain.trade import DemandKind, ServiceKind
from .organisation import member_village

MAX_LINES = 100


async def _known_codes(conn: asyncpg.Connection, kind: DemandKind) -> set[str]:
    if kind is DemandKind.INPUT:
        return {r["sku"] for r in await conn.fetch("SELECT sku FROM input_item")}
    if kind is DemandKind.PRODUCE:
        return {r["code"] for r in await conn.fetch("SELECT code FROM produce")}
    return {k.value for k in ServiceKind}


async def file_report(pool: asyncpg.Pool, p: Principal, *, season: str,
                      lines: list[tuple[DemandKind, str, Decimal]], note: str | None = None,
                      clock: Clock = utc_now) -> dict[str, Any]:
    """村两委 report their village's demand up to the base co-op."""
    village_code = scope.cadre_village(p)
    season = planning.validate_season(season)
    if not lines or len(lines) > MAX_LINES:
        raise ValidationFailed(f"a report has 1 to {MAX_LINES} lines", field="lines")
    clean: dict[tuple[str, str], Decimal] = {}
    for kind, code, qty in lines:
        code = (code or "").strip().upper()
        q = planning.validate_demand_line(kind, code, qty)
        if (kind.value, code) in clean:
            raise ValidationFailed(f"{kind.value} {code} appears twice", field="lines")
        clean[(kind.value, code)] = q
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        village = await member_village(conn, village_code)
        for kind in DemandKind:
            known = await _known_codes(conn, kind)
            for k, code in clean:
                if k == kind.value and code not in known:
                    raise NotFound(f"unknown {kind.value.lower()} item {code}", field="itemCode")
        report_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO demand_report (id, village_code, township_code, season, note, filed_by,
                   filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            report_id, village["code"], village["township_code"], season,
            (note or "").strip()[:500] or None, p.subject, now)
        await conn.executemany(
            "INSERT INTO demand_line (report_id, kind, item_code, quantity) VALUES ($1,$2,$3,$4)",
            [(report_id, k, code, q) for (k, code), q in clean.items()])
        return await fetch_report(conn, report_id)


async def fetch_report(conn: asyncpg.Connection, report_id: uuid.UUID) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM demand_report WHERE id=$1", report_id)
    if row is None:
        raise NotFound(f"demand report {report_id} not found")
    lines = await conn.fetch(
        "SELECT kind, item_code, quantity FROM demand_line WHERE report_id=$1 ORDER BY kind, "
        "item_code", report_id)
    return {**dict(row), "lines": [dict(li) for li in lines]}


async def reports(conn: asyncpg.Connection, root: str, season: str | None) -> list[dict]:
    """Reports of villages in the subtree `root`, oldest first, with their lines."""
    rows = [dict(r) for r in await conn.fetch(
        """SELECT * FROM demand_report
           WHERE (village_code = $1 OR village_code LIKE $1 || '.%')
             AND ($2::text IS NULL OR season = $2)
           ORDER BY filed_at, id""", root, season)]
    lines: dict[uuid.UUID, list[dict]] = {r["id"]: [] for r in rows}
    for li in await conn.fetch(
            """SELECT report_id, kind, item_code, quantity FROM demand_line
               WHERE report_id = ANY($1) ORDER BY kind, item_code""", list(lines)):
        lines[li["report_id"]].append(dict(li))
    return [{**r, "lines": lines[r["id"]]} for r in rows]


async def demand_rows(conn: asyncpg.Connection, root: str, season: str,
                      kind: str | None = None) -> list[planning.DemandRow]:
    rows = await conn.fetch(
        """SELECT l.kind, l.item_code, r.village_code, r.township_code, l.quantity
           FROM demand_line l JOIN demand_report r ON r.id = l.report_id
           WHERE r.season = $2 AND (r.village_code = $1 OR r.village_code LIKE $1 || '.%')
             AND ($3::text IS NULL OR l.kind = $3)""", root, season, kind)
    return [planning.DemandRow(**dict(r)) for r in rows]


async def summary(pool: asyncpg.Pool, p: Principal, *, season: str,
                  region_code: str | None) -> dict[str, Any]:
    root = scope.read_root(p, region_code)
    season = planning.validate_season(season)
    async with pool.acquire() as conn:
        rows = await demand_rows(conn, root, season)
        count = await conn.fetchval(
            """SELECT count(*) FROM demand_report WHERE season=$2
               AND (village_code = $1 OR village_code LIKE $1 || '.%')""", root, season)
    return {"season": season, "region_code": root, "reports": count,
            "by_item": planning.aggregate(rows, ()),
            "by_village": planning.aggregate(rows, ("village_code",)),
            "by_township": planning.aggregate(rows, ("township_code",))}


async def create_plan(pool: asyncpg.Pool, p: Principal, season: str,
                      clock: Clock = utc_now) -> dict[str, Any]:
    """The county sources what the villages asked for: one plan per season."""
    scope.require_county(p)
    season = planning.validate_season(season)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        plan_id = await conn.fetchval(
            """INSERT INTO sourcing_plan (id, season, created_by, created_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT (season) DO NOTHING RETURNING id""",
            uuid.uuid4(), season, p.subject, now)
        if plan_id is None:
            raise Conflict(f"a sourcing plan for {season} exists", field="season")
        demand: dict[tuple[str, str], Decimal] = {}
        for r in await conn.fetch(
                """SELECT c.region_code AS township, l.item_code AS sku, sum(l.quantity) AS qty
                   FROM demand_line l JOIN demand_report r ON r.id = l.report_id
                   JOIN member_village v ON v.code = r.village_code JOIN coop c ON c.id = v.coop_id
                   WHERE r.season = $1 AND l.kind = 'INPUT' GROUP BY 1, 2""", season):
            demand[(r["township"], r["sku"])] = r["qty"]
        if not demand:
            raise InvalidState(f"no input demand has been filed for {season}", field="season")
        stock = {(r["region_code"], r["sku"]): r["qty"] for r in await conn.fetch(
            """SELECT c.region_code, i.sku, s.qty FROM stock s JOIN coop c ON c.id = s.coop_id
               JOIN input_item i ON i.id = s.item_id""")}
        items = {r["sku"]: dict(r) for r in await conn.fetch(
            """SELECT i.id, i.sku, i.unit_price, coalesce(d.rate, 0) AS rate FROM input_item i
               LEFT JOIN discount_rule d ON d.item_id = i.id""")}
        coops = {r["region_code"]: r["id"] for r in
                 await conn.fetch("SELECT id, region_code FROM coop WHERE kind='BASE'")}
        lines = planning.allocate(demand, stock, {s: i["unit_price"] for s, i in items.items()},
                                  {s: i["rate"] for s, i in items.items()})
        await conn.executemany(
            """INSERT INTO sourcing_line (plan_id, coop_id, item_id, demand_qty, stock_qty,
                   to_source_qty, list_price, discount_rate, collective_price)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)""",
            [(plan_id, coops[li.coop_key], items[li.sku]["id"], li.demand_qty, li.stock_qty,
              li.to_source_qty, li.list_price, li.discount_rate, li.collective_price)
             for li in lines])
        return await fetch_plan(conn, season)


async def fetch_plan(conn: asyncpg.Connection, season: str) -> dict[str, Any]:
    plan = await conn.fetchrow("SELECT * FROM sourcing_plan WHERE season=$1", season)
    if plan is None:
        raise NotFound(f"no sourcing plan for {season}", field="season")
    lines = await conn.fetch(
        """SELECT l.*, c.region_code AS township_code, c.name AS coop_name, i.sku, i.name AS item_name
           FROM sourcing_line l JOIN coop c ON c.id = l.coop_id
           JOIN input_item i ON i.id = l.item_id
           WHERE l.plan_id=$1 ORDER BY c.region_code, i.sku""", plan["id"])
    return {**dict(plan), "lines": [dict(li) for li in lines]}


async def plan(pool: asyncpg.Pool, p: Principal, season: str) -> dict[str, Any]:
    """The county sees the whole plan; base co-op staff see their own lines."""
    p.require("coop_staff", "county_admin", "township_admin")
    season = planning.validate_season(season)
    async with pool.acquire() as conn:
        found = await fetch_plan(conn, season)
    found["lines"] = [li for li in found["lines"] if p.sees_region(li["township_code"])]
    return found
