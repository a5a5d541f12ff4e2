"""Yuan strings to fen, rates and project proportions: exact or refused, never rounded."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from shares.domain.money import parse_rate, parse_yuan, yuan
from shares.domain.proportions import as_text, subscriptions, validate_stakes
from shares.domain.registers import paid_in_moved
from xiangzhi_shared.errors import ValidationFailed


@pytest.mark.parametrize("text,fen", [("0", 0), ("12.3", 1230), ("12.30", 1230),
                                      ("1234567.89", 123456789), ("0.01", 1)])
def test_yuan_to_fen(text, fen):
    assert parse_yuan(text, "amount") == fen


@pytest.mark.parametrize("text", ["12.345", "0.001", "-1", "-0.01", "1e3", "NaN", "", "1,000",
                                  "Infinity", " 12.3.4"])
def test_fractional_fen_negative_or_odd_amounts_are_refused(text):
    with pytest.raises(ValidationFailed):
        parse_yuan(text, "amount")


def test_fen_back_to_yuan():
    assert yuan(1230) == Decimal("12.30") and yuan(1) == Decimal("0.01")


def test_rates():
    assert parse_rate("0.06") == Fraction(3, 50)
    assert parse_rate(None) == 0
    for bad in ["-0.1", "1.5", "6%", "abc"]:
        with pytest.raises(ValidationFailed):
            parse_rate(bad)


def test_proportions_must_sum_to_exactly_one():
    assert validate_stakes([("a", "1/3"), ("b", "1/3"), ("c", "1/3")]) == {
        "a": Fraction(1, 3), "b": Fraction(1, 3), "c": Fraction(1, 3)}
    assert sum(validate_stakes([("a", "0.3333"), ("b", "0.3333"), ("c", "0.3334")]).values()) == 1
    for bad in ([("a", "0.3333"), ("b", "0.3333"), ("c", "0.3333")],
                [("a", "0.5"), ("b", "0.6")], [("a", "0.5"), ("a", "0.5")], [],
                [("a", "1.0"), ("b", "0")], [("a", "0.5"), ("b", "1/0")], [("a", "0.5e0")]):
        with pytest.raises(ValidationFailed):
            validate_stakes(bad)


def test_subscriptions_split_capital_exactly():
    got = subscriptions(100_000_000, {"a": Fraction(1, 3), "b": Fraction(1, 3),
                                      "c": Fraction(1, 3)})
    assert sum(got.values()) == 100_000_000 and max(got.values()) - min(got.values()) == 1


def test_proportion_text_is_exact():
    assert as_text(Fraction(7, 20)) == "0.35"
    assert as_text(Fraction(1, 3)) == "1/3"
    assert as_text(Fraction(1)) == "1"


def test_paid_in_follows_shares_and_all_moves_with_all():
    assert paid_in_moved(1, 3, 100) == 33
    assert paid_in_moved(3, 3, 100) == 100
