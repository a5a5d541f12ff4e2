"""Settlement of a base co-op for a period: its distributable profit from its own trade.

    revenue = Σ paid input orders (amount charged, after 让利)
            + Σ produce lots weighed in the period at the offtake (resale) price
            + Σ service bookings completed in the period (fee charged)
    cost    = Σ cost of the inputs sold (units × moving-average unit cost at sale)
            + Σ amounts payable to farmers for those produce lots
            + Σ service cost of those bookings (area × team's cost per mu)
    distributable profit = revenue − cost, or 0 for a period that made a loss (a loss is not
    distributed to shareholders; it shows in revenue and cost).

Each term is already rounded to the fen where it was recorded; the sums are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import to_fen


@dataclass(frozen=True)
class TradeTotals:
    order_revenue: Decimal
    order_cost: Decimal
    produce_revenue: Decimal
    produce_cost: Decimal
    service_revenue: Decimal
    service_cost: Decimal


@dataclass(frozen=True)
class Settlement:
    revenue: Decimal
    cost: Decimal
    distributable_profit: Decimal


def settle(t: TradeTotals) -> Settlement:
    revenue = to_fen(t.order_revenue + t.produce_revenue + t.service_revenue)
    cost = to_fen(t.order_cost + t.produce_cost + t.service_cost)
    return Settlement(revenue, cost, max(revenue - cost, Decimal("0.00")))
