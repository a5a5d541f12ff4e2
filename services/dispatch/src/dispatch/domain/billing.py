"""Purchased services 购买服务: each task a coordinator completes for a partner is a billable
work record priced by the agreement's rate for its category; a monthly statement per partner
sums its records and adjustments exactly (Decimal, to the fen). An issued statement never
changes: a later correction is an adjustment carried on the next statement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from xiangzhi_shared.errors import InvalidState, ValidationFailed

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000")


def money(value: Decimal | str | int) -> Decimal:
    """A yuan amount to the fen; refuses NaN, infinities and absurd sizes."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValidationFailed(f"{value!r} is not an amount", field="amount") from exc
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed(f"{value!r} is not a sensible amount", field="amount")
    if amount != amount.quantize(FEN):
        raise ValidationFailed("amounts are in yuan to the fen (two decimals)", field="amount")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def rate(value: Decimal | str) -> Decimal:
    amount = money(value)
    if amount < 0:
        raise ValidationFailed("a rate cannot be negative", field="rate")
    return amount


def work_amount(category_rate: Decimal, quantity: int = 1) -> Decimal:
    if quantity < 1:
        raise ValidationFailed("quantity must be at least 1", field="quantity")
    return (category_rate * quantity).quantize(FEN)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


@dataclass(frozen=True)
class Totals:
    work: Decimal
    adjustments: Decimal
    total: Decimal
    records: int


def statement_totals(work_amounts: Iterable[Decimal],
                     adjustment_amounts: Iterable[Decimal]) -> Totals:
    """Exact sums: total = Σ work + Σ adjustments, with no rounding anywhere."""
    works = list(work_amounts)
    work = sum(works, Decimal("0.00"))
    adj = sum(adjustment_amounts, Decimal("0.00"))
    return Totals(work=work, adjustments=adj, total=work + adj, records=len(works))


def require_draft(status: str) -> None:
    if status != "DRAFT":
        raise InvalidState("an issued statement cannot change; record an adjustment on the next "
                           "statement instead", status=status)
