"""Agreed proportions of a consortium project "x+N" 联合体: exact fractions summing to one.

A proportion is given as a decimal ("0.35") or a fraction ("1/3"), never a float, and the
proportions of a version must add up to exactly one: 0.3333 + 0.3333 + 0.3334 is one, three
times "1/3" is one, three times "0.3333" is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from xiangzhi_shared.errors import ValidationFailed

from .allocation import allocate

_DECIMAL = re.compile(r"^\d{1,6}(\.\d{1,12})?$")
_FRACTION = re.compile(r"^(\d{1,12})/(\d{1,12})$")


def parse_proportion(text: str, field: str = "share") -> Fraction:
    raw = str(text).strip()
    if m := _FRACTION.match(raw):
        if int(m.group(2)) == 0:
            raise ValidationFailed(f"{field} has a zero denominator: {raw}", field=field)
        value = Fraction(int(m.group(1)), int(m.group(2)))
    elif _DECIMAL.match(raw):
        value = Fraction(Decimal(raw))
    else:
        raise ValidationFailed(f"{field} must be a decimal like 0.35 or a fraction like 1/3",
                               field=field)
    if not 0 < value <= 1:
        raise ValidationFailed(f"{field} must be more than 0 and at most 1: {raw}", field=field)
    return value


def validate_stakes(stakes: Sequence[tuple[str, str]]) -> dict[str, Fraction]:
    """(party id, proportion text) pairs -> exact proportions; they must sum to exactly 1."""
    if not stakes:
        raise ValidationFailed("a project needs at least one party", field="stakes")
    parsed: dict[str, Fraction] = {}
    for party, text in stakes:
        if party in parsed:
            raise ValidationFailed(f"party {party} appears twice", field="stakes")
        parsed[party] = parse_proportion(text)
    total = sum(parsed.values(), Fraction(0))
    if total != 1:
        raise ValidationFailed(f"the proportions sum to {total}, not exactly 1", field="stakes",
                               sum=str(total))
    return parsed


def subscriptions(total_capital_fen: int, proportions: dict[str, Fraction]) -> dict[str, int]:
    """Subscribed capital of each party, in fen: the project's capital split exactly."""
    return allocate(total_capital_fen, proportions)


def as_text(value: Fraction) -> str:
    """Exact text of a proportion: a terminating decimal when there is one, else n/d."""
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
