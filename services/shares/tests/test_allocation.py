"""Allocation arithmetic (pure): exact totals, within one fen of pro-rata, deterministic,
never negative, for awkward ratios and thousands of holders."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shares.domain.allocation import Position, allocate, distribute, entitlements
from xiangzhi_shared.errors import InvalidState, ValidationFailed

amounts = st.integers(min_value=0, max_value=10**13)  # up to 1e11 yuan, in fen
weights = st.one_of(st.integers(min_value=0, max_value=10**9),
                    st.fractions(min_value=0, max_value=10**6, max_denominator=10**6))


def holders(min_size: int = 1, max_size: int = 60):
    return st.dictionaries(st.uuids().map(str), weights, min_size=min_size, max_size=max_size) \
        .filter(lambda d: sum(Fraction(w) for w in d.values()) > 0)


def check_exact(total: int, w: dict, got: dict) -> None:
    whole = sum(Fraction(x) for x in w.values())
    assert sum(got.values()) == total
    assert set(got) == set(w)
    for k, amount in got.items():
        assert isinstance(amount, int) and amount >= 0
        assert abs(amount - Fraction(total) * Fraction(w[k]) / whole) < 1


@given(amounts, holders())
@settings(max_examples=150, deadline=None)
def test_total_is_exact_and_each_holder_within_one_fen(total, w):
    check_exact(total, w, allocate(total, w))


@given(amounts, holders(), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_allocation_is_deterministic_whatever_the_input_order(total, w, rnd):
    items = list(w.items())
    rnd.shuffle(items)
    assert allocate(total, dict(items)) == allocate(total, w)


@given(st.integers(min_value=0, max_value=10**9),
       st.lists(st.integers(min_value=0, max_value=10**6), min_size=1000, max_size=3000))
@settings(max_examples=6, deadline=None)
def test_thousands_of_holders(total, shares):
    w = {f"h{i:05d}": s for i, s in enumerate(shares)}
    if sum(shares) == 0:
        return
    check_exact(total, w, allocate(total, w))


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=2, max_value=500))
@settings(max_examples=100, deadline=None)
def test_equal_holders_differ_by_at_most_one_fen_and_ties_go_by_key(total, n):
    w = {f"h{i:04d}": 1 for i in range(n)}
    got = allocate(total, w)
    assert max(got.values()) - min(got.values()) <= 1
    extra = total % n  # the first `extra` keys in order get the extra fen
    assert [got[f"h{i:04d}"] for i in range(n)] == [total // n + (i < extra) for i in range(n)]


def test_awkward_thirds_and_sevenths():
    assert allocate(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    got = allocate(1, {"a": Fraction(1, 7), "b": Fraction(2, 7), "c": Fraction(4, 7)})
    assert got == {"a": 0, "b": 0, "c": 1}
    assert sum(allocate(10**13 + 1, {str(i): i for i in range(1, 8)}).values()) == 10**13 + 1


def test_larger_remainder_wins_before_the_key():
    # exact: a=0.4, b=0.6 of one fen: b has the larger remainder though a sorts first
    assert allocate(1, {"a": 2, "b": 3}) == {"a": 0, "b": 1}


def test_zero_amount_and_zero_weights():
    assert allocate(0, {"a": 0, "b": 0}) == {"a": 0, "b": 0}
    with pytest.raises(InvalidState):
        allocate(5, {"a": 0})


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_negative_or_fractional_amount_is_refused(bad):
    with pytest.raises(ValidationFailed):
        allocate(bad, {"a": 1})


def test_negative_weight_is_refused():
    with pytest.raises(ValidationFailed):
        allocate(10, {"a": 1, "b": -1})


positions = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**9)), min_size=1,
                     max_size=80)


@given(positions, st.fractions(min_value=0, max_value=Fraction(1, 5), max_denominator=10**4),
       st.integers(0, 10**10))
@settings(max_examples=200, deadline=None)
def test_fixed_dividend_plus_profit_is_exact(raw, rate, extra):
    ps = [Position(f"p{i:03d}", s, paid) for i, (s, paid) in enumerate(raw)]
    fixed = sum(rate * p.paid_in_fen for p in ps)
    declared = int(fixed) + 1 + extra  # always covers the fixed part
    if sum(p.shares for p in ps) == 0 and declared > fixed:
        with pytest.raises(InvalidState):
            distribute(declared, ps, rate)
        return
    exact = entitlements(declared, ps, rate)
    assert sum(exact.values()) == declared
    got = distribute(declared, ps, rate)
    assert sum(got.values()) == declared
    for p in ps:
        assert got[p.key] >= 0
        assert abs(got[p.key] - exact[p.key]) < 1
        assert got[p.key] >= int(rate * p.paid_in_fen)  # the fixed dividend is always paid


def test_declared_amount_below_fixed_dividend_is_refused():
    with pytest.raises(InvalidState):
        distribute(99, [Position("a", 1, 10_000)], Fraction(1, 100))


def test_hundred_thousand_holders_is_exact():
    rnd = random.Random(7)
    w = {f"{i:06d}": rnd.randint(1, 10**6) for i in range(100_000)}
    got = allocate(987_654_321, w)
    check_exact(987_654_321, w, got)
