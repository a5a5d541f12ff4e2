"""Money as integer fen (分). Callers give yuan as decimal strings ("1234.56"); anything that
is not a whole number of fen, negative, or not a plain decimal is refused, never rounded."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from xiangzhi_shared.errors import ValidationFailed

_YUAN = re.compile(r"^-?\d{1,15}(\.\d+)?$")
_RATE = re.compile(r"^\d{1,6}(\.\d{1,10})?$")
FEN_PER_YUAN = 100


def parse_yuan(value: str | Decimal, field: str, *, allow_zero: bool = True) -> int:
    """'12.30' -> 1230 fen. Refuses '12.305', '-1', '1e3', 'NaN', ''."""
    text = str(value).strip()
    if not _YUAN.match(text):
        raise ValidationFailed(f"{field} must be an amount in yuan like 1234.56", field=field)
    amount = Decimal(text)
    if amount < 0:
        raise ValidationFailed(f"{field} must not be negative", field=field)
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValidationFailed(f"{field} has a fraction of a fen: {text}", field=field)
    if not allow_zero and fen == 0:
        raise ValidationFailed(f"{field} must be more than zero", field=field)
    return int(fen)


def yuan(fen: int) -> Decimal:
    """1230 -> Decimal('12.30'), exact."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def parse_rate(value: str | Decimal | None, field: str = "fixedRate") -> Fraction:
    """A yearly fixed-dividend rate as a decimal fraction ("0.06" is 6 %), between 0 and 1."""
    if value is None or str(value).strip() == "":
        return Fraction(0)
    text = str(value).strip()
    if not _RATE.match(text):
        raise ValidationFailed(f"{field} must be a decimal fraction like 0.06", field=field)
    rate = Fraction(Decimal(text))
    if rate > 1:
        raise ValidationFailed(f"{field} must be between 0 and 1", field=field)
    return rate
