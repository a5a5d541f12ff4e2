"""Splitting a declared amount over holders exactly: the dividend arithmetic.

Every amount is an integer number of fen. The exact pro-rata share of each holder is a
rational number (`fractions.Fraction`); the largest-remainder method (最大余额法) gives each
holder the floor of it, then hands the fen left over, one each, to the holders with the
largest remainders, ties broken by holder key. So: the total is exactly the declared amount,
each holder is within one fen of the exact share, nobody gets a negative amount, and the
result depends only on the input (not its order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from xiangzhi_shared.errors import InvalidState, ValidationFailed

Weight = int | Fraction


def allocate(total_fen: int, weights: Mapping[str, Weight]) -> dict[str, int]:
    """Splits `total_fen` in proportion to `weights` (keyed by a stable holder key)."""
    if isinstance(total_fen, bool) or not isinstance(total_fen, int):
        raise ValidationFailed("the amount to split must be a whole number of fen")
    if total_fen < 0:
        raise ValidationFailed("the amount to split must not be negative")
    if all(type(w) is int for w in weights.values()):
        ints = dict(weights)  # the common case (shares, integer entitlements): no Fractions
    else:
        fractions = {k: Fraction(w) for k, w in weights.items()}
        # One common denominator turns every weight into an integer: the arithmetic below is
        # then plain integer divmod, exact and fast enough for 100,000 holders.
        denominator = math.lcm(*(w.denominator for w in fractions.values())) if fractions else 1
        ints = {k: w.numerator * (denominator // w.denominator) for k, w in fractions.items()}
    if any(w < 0 for w in ints.values()):
        raise ValidationFailed("a weight must not be negative")
    whole = sum(ints.values())
    if whole == 0:
        if total_fen == 0:
            return {k: 0 for k in ints}
        raise InvalidState("there is nothing to split the amount over (all weights are zero)")
    amounts: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, w in ints.items():
        q, r = divmod(total_fen * w, whole)
        amounts[key] = q
        remainders.append((-r, key))
    left = total_fen - sum(amounts.values())
    remainders.sort()
    for _, key in remainders[:left]:
        amounts[key] += 1
    return amounts


def exact_share(total_fen: int, weights: Mapping[str, Weight], key: str) -> Fraction:
    """The exact pro-rata amount of one holder, in fen (for checks and audits)."""
    whole = sum(Fraction(w) for w in weights.values())
    return Fraction(total_fen) * Fraction(weights[key]) / whole


@dataclass(frozen=True)
class Position:
    """What a holder brings to a distribution: shares held and capital paid in (in fen)."""

    key: str
    shares: int
    paid_in_fen: int


def entitlement_weights(declared_fen: int, positions: list[Position],
                        fixed_rate: Fraction) -> tuple[dict[str, int], int]:
    """固定分红+盈利 in integers: holder i is entitled to exactly
    e_i = rate * paid_in_i + (declared - rate * total paid_in) * shares_i / total shares.
    With rate = a/b and S total shares, E_i = e_i * b * S is an integer; returns ({key: E_i},
    b * S), and the E_i sum to exactly declared * b * S. Refuses a declared amount that does
    not cover the fixed part."""
    a, b = fixed_rate.numerator, fixed_rate.denominator
    paid_total = sum(p.paid_in_fen for p in positions)
    shares_total = sum(p.shares for p in positions)
    profit_scaled = declared_fen * b - a * paid_total  # the profit part, times b
    if profit_scaled < 0:
        raise InvalidState(f"the declared amount ({declared_fen} fen) does not cover the fixed "
                           f"dividend ({float(fixed_rate * paid_total):.2f} fen)")
    if shares_total == 0:
        if profit_scaled:
            raise InvalidState("the register has no shares to share the profit over")
        return {p.key: a * p.paid_in_fen for p in positions}, b
    return ({p.key: a * p.paid_in_fen * shares_total + profit_scaled * p.shares
             for p in positions}, b * shares_total)


def entitlements(declared_fen: int, positions: list[Position],
                 fixed_rate: Fraction) -> dict[str, Fraction]:
    """Each holder's exact entitlement in fen (they sum to exactly `declared_fen`)."""
    weights, scale = entitlement_weights(declared_fen, positions, fixed_rate)
    return {k: Fraction(w, scale) for k, w in weights.items()}


def distribute(declared_fen: int, positions: list[Position],
               fixed_rate: Fraction = Fraction(0)) -> dict[str, int]:
    """A distribution run's arithmetic: exact entitlements, then largest remainder."""
    if len({p.key for p in positions}) != len(positions):
        raise ValidationFailed("a holder appears twice in the distribution")
    if any(p.shares < 0 or p.paid_in_fen < 0 for p in positions):
        raise ValidationFailed("shares and paid-in capital must not be negative")
    weights, _ = entitlement_weights(declared_fen, positions, fixed_rate)
    # The weights sum to declared x scale, so each holder's exact pro-rata share of the
    # declared amount is exactly their entitlement.
    return allocate(declared_fen, weights)
