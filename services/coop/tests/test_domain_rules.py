"""Pure rules: money rounding, periods, settlement arithmetic, aggregation and allocation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from coop.domain import money, periods, planning, trade
from coop.domain.settlement import TradeTotals, settle
from xiangzhi_shared.errors import InvalidState, ValidationFailed

D = Decimal


def test_amounts_round_half_up_to_the_fen_once_on_the_product():
    assert money.line_amount(D("1000.005"), D("3.10")) == D("3100.02")   # 3100.0155
    assert money.line_amount(D("0.125"), D("1.00")) == D("0.13")          # half goes up
    assert money.line_amount(3, D("33.33")) == D("99.99")
    assert money.discounted_price(D("150.00"), D("0.05")) == D("142.50")
    assert money.discounted_price(D("168.00"), D("0.03")) == D("162.96")


@pytest.mark.parametrize("value", ["0", "-1", "1.001", "NaN", "Infinity", "abc"])
def test_positive_amounts_reject_zero_negative_too_precise_and_non_numbers(value):
    with pytest.raises(ValidationFailed):
        money.positive(value, "amount")


def test_rates_are_fractions_below_one():
    assert money.rate("0.05") == D("0.05")
    for bad in ["1", "-0.01", "0.12345"]:
        with pytest.raises(ValidationFailed):
            money.rate(bad)


def test_periods_are_months_or_quarters_and_only_finished_ones_settle():
    q = periods.parse_period("2025-Q4")
    assert (q.start, q.end) == (datetime(2025, 10, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    m = periods.parse_period("2025-12")
    assert m.end == datetime(2026, 1, 1, tzinfo=UTC)
    for bad in ["2025-13", "2025-Q5", "25-01", ""]:
        with pytest.raises(ValidationFailed):
            periods.parse_period(bad)
    with pytest.raises(InvalidState):
        periods.require_closed(m, datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    periods.require_closed(m, datetime(2026, 1, 1, tzinfo=UTC))


def test_distributable_profit_is_revenue_minus_cost_and_never_negative():
    s = settle(TradeTotals(D("515.00"), D("437.50"), D("4901.23"), D("4401.10"), D("400.00"),
                           D("260.00")))
    assert (s.revenue, s.cost, s.distributable_profit) == (D("5816.23"), D("5098.60"), D("717.63"))
    loss = settle(TradeTotals(D("10"), D("20"), D(0), D(0), D(0), D(0)))
    assert loss.distributable_profit == D("0.00") and loss.revenue - loss.cost == D("-10.00")


def test_collectives_get_the_discount_and_farmers_the_list_price():
    farmer = trade.price_line("i", 10, D("150.00"), D("128.5"), trade.BuyerKind.FARMER, D("0.05"))
    collective = trade.price_line("i", 10, D("150.00"), D("128.5"), trade.BuyerKind.COLLECTIVE,
                                  D("0.05"))
    assert (farmer.amount, farmer.discount) == (D("1500.00"), D("0.00"))
    assert (collective.amount, collective.discount, collective.cost) == \
        (D("1425.00"), D("75.00"), D("1285.00"))


def test_orders_and_bookings_move_only_forward():
    assert trade.pay(trade.OrderStatus.RESERVED) is trade.OrderStatus.PAID
    for done in [trade.OrderStatus.PAID, trade.OrderStatus.CANCELLED]:
        with pytest.raises(InvalidState):
            trade.pay(done)
        with pytest.raises(InvalidState):
            trade.cancel(done)
    with pytest.raises(InvalidState):
        trade.complete_booking(trade.BookingStatus.BOOKED, date(2030, 1, 2), date(2030, 1, 1))
    with pytest.raises(ValidationFailed):
        trade.validate_booking(date(2029, 12, 31), D("5"), date(2030, 1, 1))
    with pytest.raises(ValidationFailed):
        trade.validate_lines([("a", 1), ("a", 2)])


def test_aggregation_sums_and_allocation_covers_demand():
    rows = [planning.DemandRow("INPUT", "UREA", "QY.01.001", "QY.01", D(30)),
            planning.DemandRow("INPUT", "UREA", "QY.01.002", "QY.01", D(25)),
            planning.DemandRow("INPUT", "UREA", "QY.02.001", "QY.02", D(900))]
    assert planning.aggregate(rows, ())[0]["quantity"] == D(955)
    by_t = {e["township_code"]: e["quantity"] for e in planning.aggregate(rows, ("township_code",))}
    assert by_t == {"QY.01": D(55), "QY.02": D(900)}
    lines = planning.allocate({("QY.01", "UREA"): D(55), ("QY.02", "UREA"): D(900)},
                              {("QY.01", "UREA"): 400, ("QY.02", "UREA"): 100},
                              {"UREA": D("150.00")}, {"UREA": D("0.05")})
    assert sum(li.demand_qty for li in lines) == 955
    assert [(li.stock_qty, li.to_source_qty) for li in lines] == [(55, 0), (100, 800)]
    assert all(li.collective_price == D("142.50") for li in lines)
    with pytest.raises(ValidationFailed):
        planning.validate_season("spring")
