"""Bad input gets a clear error with a stable code, never a 500, and writes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from xiangzhi_shared.testing import error_codes


async def _counts(coop):
    return await coop.pool.fetchrow(
        """SELECT (SELECT count(*) FROM sales_order) AS orders,
                  (SELECT count(*) FROM purchase_lot) AS lots,
                  (SELECT count(*) FROM service_booking) AS bookings,
                  (SELECT count(*) FROM demand_report) AS reports,
                  (SELECT count(*) FROM idempotency_key) AS keys,
                  (SELECT sum(qty) FROM stock) AS stock,
                  (SELECT coalesce(sum(booked_mu), 0) FROM team_day) AS booked,
                  (SELECT count(*) FROM outbox) AS events""")


def _order(coop, item, qty, **extra):
    return {"i": {"coopId": coop.coop_id("QY.01"), "lines": [{"itemId": item, "quantity": qty}],
                  **extra}}


@pytest.mark.parametrize("qty", [0, -5])
async def test_non_positive_quantities_are_refused(coop, qty):
    before = await _counts(coop)
    body = await coop.gql(coop.PLACE, _order(coop, coop.item_id("UREA-50KG"), qty,
                                             idempotencyKey="k"), coop.farmer("QY.01.001"))
    assert error_codes(body) == ["VALIDATION"]
    assert body["errors"][0]["extensions"]["field"] == "quantity"
    assert await _counts(coop) == before


async def test_unknown_item_and_coop_are_not_found_and_write_nothing(coop):
    before = await _counts(coop)
    token = coop.farmer("QY.01.001")
    body = await coop.gql(coop.PLACE, _order(coop, str(uuid.uuid4()), 1), token)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await coop.gql(coop.PLACE, {"i": {"coopId": str(uuid.uuid4()), "lines": [
        {"itemId": coop.item_id("UREA-50KG"), "quantity": 1}]}}, token)
    assert error_codes(body) == ["NOT_FOUND"]
    # a known item next to an unknown one: nothing reserved
    body = await coop.gql(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"), "lines": [
        {"itemId": coop.item_id("UREA-50KG"), "quantity": 1},
        {"itemId": str(uuid.uuid4()), "quantity": 1}]}}, token)
    assert error_codes(body) == ["NOT_FOUND"]
    assert await _counts(coop) == before


async def test_malformed_ids_and_numbers_are_rejected_before_anything_runs(coop):
    token = coop.farmer("QY.01.001")
    before = await _counts(coop)
    body = await coop.gql(coop.PLACE, _order(coop, "42; drop table stock", 1), token)
    assert error_codes(body) == ["VALIDATION"]
    body = await coop.gql(coop.BOOK, {"i": {"teamId": coop.team_id("QY.01", "plough"),
                                            "date": "2030-01-01", "areaMu": "lots"}}, token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await _counts(coop) == before


async def test_a_booking_in_the_past_or_of_negative_area_is_refused(coop):
    token = coop.farmer("QY.01.001")
    team = coop.team_id("QY.01", "plough")
    before = await _counts(coop)
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    body = await coop.gql(coop.BOOK, {"i": {"teamId": team, "date": yesterday, "areaMu": "5"}},
                          token)
    assert error_codes(body) == ["VALIDATION"] and body["errors"][0]["extensions"]["field"] == "date"
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    body = await coop.gql(coop.BOOK, {"i": {"teamId": team, "date": tomorrow, "areaMu": "-3"}},
                          token)
    assert error_codes(body) == ["VALIDATION"]
    body = await coop.gql(coop.BOOK, {"i": {"teamId": str(uuid.uuid4()), "date": tomorrow,
                                            "areaMu": "3"}}, token)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await coop.gql(coop.BOOK, {"i": {"teamId": team, "date": tomorrow,
                                            "areaMu": "121"}}, token)
    assert error_codes(body) == ["INVALID_STATE"]
    assert await _counts(coop) == before


async def test_bad_purchases_are_refused(coop):
    staff = coop.staff("QY.01")
    record = """mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { id } }"""
    base = {"coopId": coop.coop_id("QY.01"), "farmerId": coop.farmer_id("QY.01.001"),
            "villageCode": "QY.01.001", "produceCode": "RICE", "grade": "A", "weightKg": "10"}
    before = await _counts(coop)
    for change, code in [({"weightKg": "-1"}, "VALIDATION"), ({"weightKg": "1.0001"}, "VALIDATION"),
                         ({"grade": "Z"}, "VALIDATION"), ({"produceCode": "GOLD"}, "NOT_FOUND"),
                         ({"villageCode": "QY.09.001"}, "NOT_FOUND"),
                         ({"grade": "C", "produceCode": "TEA"}, "INVALID_STATE")]:
        body = await coop.gql(record, {"i": {**base, **change}}, staff)
        assert error_codes(body) == [code], change
    assert await _counts(coop) == before


async def test_bad_demand_reports_are_refused(coop):
    cadre = coop.cadre("QY.02.002")
    file = """mutation($i: FileDemandReportInput!) { fileDemandReport(input: $i) { id } }"""
    before = await _counts(coop)
    cases = [("2031-SPRING", [{"kind": "INPUT", "itemCode": "CAVIAR", "quantity": "1"}], "NOT_FOUND"),
             ("2031-SPRING", [{"kind": "INPUT", "itemCode": "UREA-50KG", "quantity": "-1"}],
              "VALIDATION"),
             ("2031-SPRING", [{"kind": "INPUT", "itemCode": "UREA-50KG", "quantity": "1.5"}],
              "VALIDATION"),
             ("2031-SPRING", [{"kind": "SERVICE", "itemCode": "FLY", "quantity": "1"}], "NOT_FOUND"),
             ("next year", [{"kind": "INPUT", "itemCode": "UREA-50KG", "quantity": "1"}],
              "VALIDATION"),
             ("2031-SPRING", [], "VALIDATION")]
    for season, lines, code in cases:
        body = await coop.gql(file, {"i": {"season": season, "lines": lines}}, cadre)
        assert error_codes(body) == [code], (season, lines)
    assert await _counts(coop) == before


async def test_bad_settlement_periods_and_loans_are_refused(coop):
    county = coop.county()
    before = await _counts(coop)
    body = await coop.gql("""mutation($c: ID!) { settlePeriod(coopId: $c, period: "2025-13") { id } }""",
                          {"c": coop.coop_id("QY.01")}, county)
    assert error_codes(body) == ["VALIDATION"]
    loan = """mutation($i: ArrangeLoanInput!) { arrangeLoan(input: $i) { id } }"""
    body = await coop.gql(loan, {"i": {"villageCode": "QY.01.001", "borrower": "x", "lender": "y",
                                       "principal": "-100", "annualRate": "0.04",
                                       "dueOn": "2040-01-01"}}, county)
    assert error_codes(body) == ["VALIDATION"]
    body = await coop.gql(loan, {"i": {"villageCode": "QY.01.001", "borrower": "x", "lender": "y",
                                       "principal": "100", "annualRate": "0.04",
                                       "dueOn": "2001-01-01"}}, county)
    assert error_codes(body) == ["VALIDATION"]
    assert await _counts(coop) == before
