"""Demand aggregation and sourcing: village committees 村两委 report seasonal demand, the
county co-op sums it by item, village and township, and turns the input demand into a
sourcing plan 货源计划 allocated to the base co-ops, priced with the 让利 for collectives."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xiangzhi_shared.errors import ValidationFailed

from . import money
from .trade import DemandKind

_SEASON = re.compile(r"^\d{4}-(SPRING|SUMMER|AUTUMN|WINTER)$")
MAX_DEMAND = Decimal("1e9")


def validate_season(season: str) -> str:
    s = (season or "").strip().upper()
    if not _SEASON.match(s):
        raise ValidationFailed("season must look like 2026-SPRING (SPRING, SUMMER, AUTUMN, "
                               "WINTER)", field="season")
    return s


def validate_demand_line(kind: DemandKind, item_code: str, quantity: Decimal) -> Decimal:
    """Inputs in whole units, services in mu (2 places), produce in kg (3 places)."""
    if not (item_code or "").strip():
        raise ValidationFailed("itemCode is required", field="itemCode")
    places = {DemandKind.INPUT: 0, DemandKind.SERVICE: 2, DemandKind.PRODUCE: 3}[kind]
    return money.positive(quantity, "quantity", places=places, limit=MAX_DEMAND)


@dataclass(frozen=True)
class DemandRow:
    kind: str
    item_code: str
    village_code: str
    township_code: str
    quantity: Decimal


def aggregate(rows: list[DemandRow], by: tuple[str, ...]) -> list[dict[str, Any]]:
    """Sums quantities grouped by kind, item and the given region fields ('village_code',
    'township_code' or none), in a stable order."""
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    counts: dict[tuple, int] = defaultdict(int)
    for r in rows:
        key = (r.kind, r.item_code, *(getattr(r, f) for f in by))
        sums[key] += r.quantity
        counts[key] += 1
    out = []
    for key in sorted(sums):
        entry = {"kind": key[0], "item_code": key[1], "quantity": sums[key],
                 "lines": counts[key]}
        entry.update(dict(zip(by, key[2:], strict=True)))
        out.append(entry)
    return out


@dataclass(frozen=True)
class PlanLine:
    coop_key: str          # the base co-op's township code
    sku: str
    demand_qty: int
    stock_qty: int
    to_source_qty: int
    list_price: Decimal
    discount_rate: Decimal
    collective_price: Decimal


def allocate(demand_by_township: dict[tuple[str, str], Decimal],
             stock: dict[tuple[str, str], int], list_prices: dict[str, Decimal],
             discount_rates: dict[str, Decimal]) -> list[PlanLine]:
    """Each township's input demand goes to its own base co-op (it delivers to its villages);
    what its free stock cannot cover is sourced by the county. The allocation covers the
    demand exactly: Σ demand_qty per item = Σ reported."""
    lines = []
    for (township, sku), qty in sorted(demand_by_township.items()):
        demand = int(qty)
        have = min(stock.get((township, sku), 0), demand)
        rate = discount_rates.get(sku, Decimal(0))
        price = list_prices[sku]
        lines.append(PlanLine(township, sku, demand, have, demand - have, price, rate,
                              money.discounted_price(price, rate)))
    return lines
