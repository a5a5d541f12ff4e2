"""Exact money and quantity arithmetic: Decimal in, Decimal out, rounded to the fen (0.01
yuan) with ROUND_HALF_UP, the rounding Chinese invoices and receipts use."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from xiangzhi_shared.errors import ValidationFailed

FEN = Decimal("0.01")
GRAM = Decimal("0.001")
MAX_AMOUNT = Decimal("1e11")  # numeric(14, 2)


def to_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal | int, unit_price: Decimal) -> Decimal:
    """quantity × price to the fen. Rounded once, on the product, never per factor."""
    return to_fen(Decimal(quantity) * unit_price)


def discounted_price(list_price: Decimal, rate: Decimal) -> Decimal:
    """The collective's price after 让利 at `rate` (0.05 = 5 % off), to the fen."""
    return to_fen(list_price * (Decimal(1) - rate))


def _decimal(value: Decimal | str | int, field: str) -> Decimal:
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationFailed(f"{field} is not a number", field=field) from exc
    if not d.is_finite():
        raise ValidationFailed(f"{field} must be a finite number", field=field)
    return d


def positive(value: Decimal | str | int, field: str, places: int = 2,
             limit: Decimal = MAX_AMOUNT) -> Decimal:
    """A strictly positive decimal with at most `places` decimal places."""
    d = _decimal(value, field)
    if d <= 0:
        raise ValidationFailed(f"{field} must be greater than zero", field=field)
    return _bounded(d, field, places, limit)


def non_negative(value: Decimal | str | int, field: str, places: int = 2,
                 limit: Decimal = MAX_AMOUNT) -> Decimal:
    d = _decimal(value, field)
    if d < 0:
        raise ValidationFailed(f"{field} must not be negative", field=field)
    return _bounded(d, field, places, limit)


def _bounded(d: Decimal, field: str, places: int, limit: Decimal) -> Decimal:
    if d >= limit:
        raise ValidationFailed(f"{field} is too large", field=field)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValidationFailed(f"{field} has more than {places} decimal places", field=field)
    return d


def rate(value: Decimal | str, field: str = "rate") -> Decimal:
    """A fraction in [0, 1): 0.05 is 5 %."""
    d = _decimal(value, field)
    if not Decimal(0) <= d < Decimal(1):
        raise ValidationFailed(f"{field} must be at least 0 and below 1", field=field)
    return _bounded(d, field, 4, Decimal(1))


def quantity(value: int, field: str = "quantity", limit: int = 1_000_000) -> int:
    """A whole number of units (bags, bottles) greater than zero."""
    if value <= 0:
        raise ValidationFailed(f"{field} must be greater than zero", field=field)
    if value > limit:
        raise ValidationFailed(f"{field} must be at most {limit}", field=field)
    return value
