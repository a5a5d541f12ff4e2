"""The authorization matrix: farmer, village cadre, co-op staff of one base co-op versus the
other, and the county. Refusals are FORBIDDEN (or UNAUTHENTICATED) and change nothing."""

from __future__ import annotations

import uuid

import pytest
from xiangzhi_shared.testing import error_codes

RECEIVE = """mutation($c: ID!, $i: ID!) { receiveStock(coopId: $c, itemId: $i, quantity: 5,
               unitCost: "10.00") }"""
ORDER = "query($id: ID!) { inputOrder(id: $id) { id } }"
ORDERS = "query($r: String) { inputOrders(regionCode: $r) { totalCount nodes { villageCode buyerId } } }"
SETTLE = """mutation($c: ID!) { settlePeriod(coopId: $c, period: "2024-01") { id } }"""
PLAN = """mutation { createSourcingPlan(season: "2032-SPRING") { id } }"""
FILE = """mutation { fileDemandReport(input: {season: "2032-SPRING", lines: [
            {kind: INPUT, itemCode: "UREA-50KG", quantity: "3"}]}) { id } }"""
RECORD = """mutation($c: ID!, $f: ID!) { recordPurchase(input: {coopId: $c, farmerId: $f,
              villageCode: "QY.01.001", produceCode: "RICE", grade: "A", weightKg: "10"}) { id } }"""


async def _order(coop, village="QY.01.001", n=0):
    item = coop.item_id("RICE-SEED-1KG")
    data = await coop.gql.ok(coop.PLACE, {"i": {"coopId": coop.coop_id(village[:5]),
                                                "lines": [{"itemId": item, "quantity": 1}]}},
                             coop.farmer(village, n))
    return data["placeOrder"]["id"]


async def test_no_token_and_bad_tokens_are_unauthenticated(coop, tmp_path):
    from xiangzhi_shared.testing import Tokens

    assert error_codes(await coop.gql("{ supplyCoops { id } }")) == ["UNAUTHENTICATED"]
    assert error_codes(await coop.gql("{ supplyCoops { id } }", token="x.y.z")) == \
        ["UNAUTHENTICATED"]
    stranger = Tokens(tmp_path)("county_admin", region="QY")
    assert error_codes(await coop.gql("{ supplyCoops { id } }", token=stranger)) == \
        ["UNAUTHENTICATED"]


@pytest.mark.parametrize("who,allowed", [
    ("farmer", False), ("cadre", False), ("staff_own", True), ("staff_other", False),
    ("county", True)])
async def test_only_own_coop_staff_or_county_receive_stock(coop, who, allowed):
    token = {"farmer": coop.farmer("QY.01.001"), "cadre": coop.cadre("QY.01.001"),
             "staff_own": coop.staff("QY.01"), "staff_other": coop.staff("QY.02"),
             "county": coop.county()}[who]
    item = coop.item_id("FILM-5KG")
    before = await coop.stock("QY.01", item)
    body = await coop.gql(RECEIVE, {"c": coop.coop_id("QY.01"), "i": item}, token)
    if allowed:
        assert not body.get("errors") and await coop.stock("QY.01", item) == before + 5
    else:
        assert error_codes(body) == ["FORBIDDEN"] and await coop.stock("QY.01", item) == before


async def test_read_matrix_for_one_order(coop):
    order = await _order(coop, "QY.01.002", 1)
    allowed = [coop.farmer("QY.01.002", 1), coop.cadre("QY.01.002"), coop.staff("QY.01"),
               coop.county()]
    refused = [coop.farmer("QY.01.002", 2), coop.cadre("QY.01.001"), coop.staff("QY.02"),
               coop.tokens("township_admin", region="QY.02", subject="ta")]
    for token in allowed:
        assert (await coop.gql.ok(ORDER, {"id": order}, token))["inputOrder"]["id"] == order
    for token in refused:
        assert error_codes(await coop.gql(ORDER, {"id": order}, token)) == ["FORBIDDEN"]


async def test_lists_hold_only_what_the_caller_may_see(coop):
    me = coop.farmer_id("QY.01.003", 3)
    await _order(coop, "QY.01.003", 3)
    mine = (await coop.gql.ok(ORDERS, {"r": None}, coop.farmer("QY.01.003", 3)))["inputOrders"]
    assert mine["totalCount"] >= 1 and {n["buyerId"] for n in mine["nodes"]} == {me}
    village = (await coop.gql.ok(ORDERS, {"r": None}, coop.cadre("QY.01.003")))["inputOrders"]
    assert {n["villageCode"] for n in village["nodes"]} == {"QY.01.003"}
    assert error_codes(await coop.gql(ORDERS, {"r": "QY.01"}, coop.cadre("QY.01.003"))) == \
        ["FORBIDDEN"]
    staff = (await coop.gql.ok(ORDERS, {"r": None}, coop.staff("QY.02")))["inputOrders"]
    assert staff["totalCount"] >= 1
    assert all(n["villageCode"].startswith("QY.02.") for n in staff["nodes"])
    assert error_codes(await coop.gql(ORDERS, {"r": "QY.01"}, coop.staff("QY.02"))) == \
        ["FORBIDDEN"]


async def test_paying_or_cancelling_someone_elses_order_is_forbidden(coop):
    order = await _order(coop, "QY.01.001", 0)
    for token in [coop.farmer("QY.01.001", 1), coop.cadre("QY.01.002"), coop.staff("QY.02")]:
        body = await coop.gql(coop.PAY, {"id": order, "k": str(uuid.uuid4())}, token)
        assert error_codes(body) == ["FORBIDDEN"]
        body = await coop.gql("mutation($id: ID!) { cancelOrder(id: $id) { id } }",
                              {"id": order}, token)
        assert error_codes(body) == ["FORBIDDEN"]
    assert await coop.pool.fetchval("SELECT status FROM sales_order WHERE id=$1::uuid",
                                    order) == "RESERVED"
    assert await coop.pool.fetchval("SELECT count(*) FROM payment WHERE order_id=$1::uuid",
                                    order) == 0


async def test_a_farmer_cannot_act_for_another_farmer_nor_buy_for_the_collective(coop):
    token = coop.farmer("QY.01.001", 0)
    body = await coop.gql(coop.PLACE, {"i": {
        "coopId": coop.coop_id("QY.01"), "farmerId": coop.farmer_id("QY.01.001", 1),
        "lines": [{"itemId": coop.item_id("UREA-50KG"), "quantity": 1}]}}, token)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await coop.gql(coop.PLACE, {"i": {
        "coopId": coop.coop_id("QY.01"), "buyerKind": "COLLECTIVE",
        "lines": [{"itemId": coop.item_id("UREA-50KG"), "quantity": 1}]}}, token)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_a_cadre_buys_for_the_collective_at_the_discounted_price(coop):
    data = await coop.gql.ok(coop.PLACE, {"i": {
        "coopId": coop.coop_id("QY.01"), "buyerKind": "COLLECTIVE",
        "lines": [{"itemId": coop.item_id("UREA-50KG"), "quantity": 10}]}}, coop.cadre("QY.01.002"))
    # 10 × 150.00 at 5 % 让利 = 10 × 142.50
    assert (data["placeOrder"]["total"], data["placeOrder"]["discount"]) == ("1425.00", "75.00")


async def test_staff_of_one_coop_cannot_record_purchases_or_settle_for_the_other(coop):
    farmer = coop.farmer_id("QY.01.001")
    assert error_codes(await coop.gql(RECORD, {"c": coop.coop_id("QY.01"), "f": farmer},
                                      coop.staff("QY.02"))) == ["FORBIDDEN"]
    assert error_codes(await coop.gql(RECORD, {"c": coop.coop_id("QY.01"), "f": farmer},
                                      coop.farmer("QY.01.001"))) == ["FORBIDDEN"]
    assert error_codes(await coop.gql(SETTLE, {"c": coop.coop_id("QY.01")},
                                      coop.staff("QY.02"))) == ["FORBIDDEN"]
    assert error_codes(await coop.gql(SETTLE, {"c": coop.coop_id("QY.01")},
                                      coop.cadre("QY.01.001"))) == ["FORBIDDEN"]
    assert await coop.pool.fetchval("SELECT count(*) FROM settlement WHERE period='2024-01'") == 0


async def test_only_the_county_plans_and_only_cadres_file_demand(coop):
    for token in [coop.farmer("QY.01.001"), coop.cadre("QY.01.001"), coop.staff("QY.01")]:
        assert error_codes(await coop.gql(PLAN, token=token)) == ["FORBIDDEN"]
    for token in [coop.farmer("QY.01.001"), coop.staff("QY.01"), coop.county()]:
        assert error_codes(await coop.gql(FILE, token=token)) == ["FORBIDDEN"]
    assert await coop.pool.fetchval(
        "SELECT count(*) FROM demand_report WHERE season='2032-SPRING'") == 0


async def test_targets_and_loans_are_set_by_the_township_in_scope(coop):
    mutation = """mutation($v: String!) { setSupplyTarget(villageCode: $v, year: 2030,
                    amount: "1000") { target } }"""
    own = coop.tokens("township_admin", region="QY.01", subject="ta1")
    assert (await coop.gql.ok(mutation, {"v": "QY.01.001"}, own))["setSupplyTarget"]["target"] \
        == "1000.00"
    assert error_codes(await coop.gql(mutation, {"v": "QY.02.001"}, own)) == ["FORBIDDEN"]
    assert error_codes(await coop.gql(mutation, {"v": "QY.01.001"}, coop.staff("QY.01"))) == \
        ["FORBIDDEN"]
    assert error_codes(await coop.gql("{ arrangedLoans { id } }",
                                      token=coop.farmer("QY.01.001"))) == ["FORBIDDEN"]
    loans = await coop.gql.ok("{ arrangedLoans { villageCode outstanding status } }",
                              token=coop.cadre("QY.01.002"))
    assert loans["arrangedLoans"] == [{"villageCode": "QY.01.002", "outstanding": "150000.00",
                                       "status": "OUTSTANDING"}]
