"""Demand reports aggregate exactly; a sourcing plan covers the aggregated demand, priced
with the 让利 for collectives."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from xiangzhi_shared.demo import region_id
from xiangzhi_shared.testing import error_codes

FILE = """mutation($i: FileDemandReportInput!) { fileDemandReport(input: $i) { id villageCode
            lines { kind itemCode quantity } } }"""
SUMMARY = """query($s: String!, $r: String) { demandSummary(season: $s, regionCode: $r) {
               reports regionCode
               byItem { kind itemCode quantity lines }
               byVillage { kind itemCode villageCode quantity }
               byTownship { kind itemCode townshipCode quantity } } }"""
SEASON = "2031-AUTUMN"
FILED = {
    "QY.01.001": [("INPUT", "UREA-50KG", "30"), ("INPUT", "NPK-40KG", "12"),
                  ("SERVICE", "HARVEST", "85.5"), ("PRODUCE", "RICE", "12000.250")],
    "QY.01.002": [("INPUT", "UREA-50KG", "25"), ("SERVICE", "HARVEST", "40")],
    "QY.02.001": [("INPUT", "UREA-50KG", "900"), ("INPUT", "FILM-5KG", "7")],
    "QY.02.003": [("INPUT", "NPK-40KG", "5"), ("PRODUCE", "TEA", "300.5")],
}
EXTRA = ("QY.01.001", [("INPUT", "UREA-50KG", "10")])  # a second report from the same village


async def _file_all(coop):
    for village, lines in [*FILED.items(), EXTRA]:
        await coop.gql.ok(FILE, {"i": {"season": SEASON, "lines": [
            {"kind": k, "itemCode": c, "quantity": q} for k, c, q in lines]}}, coop.cadre(village))


def _expected():
    by_item, by_village, by_township = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    for village, lines in [*FILED.items(), EXTRA]:
        for k, c, q in lines:
            by_item[(k, c)] += Decimal(q)
            by_village[(k, c, village)] += Decimal(q)
            by_township[(k, c, village[:5])] += Decimal(q)
    return by_item, by_village, by_township


async def test_aggregation_sums_equal_the_filed_reports_and_the_plan_covers_them(coop):
    await _file_all(coop)
    by_item, by_village, by_township = _expected()
    s = (await coop.gql.ok(SUMMARY, {"s": SEASON, "r": None}, coop.county()))["demandSummary"]
    assert s["reports"] == 5 and s["regionCode"] == "QY"
    assert {(e["kind"], e["itemCode"]): Decimal(e["quantity"]) for e in s["byItem"]} == by_item
    assert {(e["kind"], e["itemCode"], e["villageCode"]): Decimal(e["quantity"])
            for e in s["byVillage"]} == by_village
    assert {(e["kind"], e["itemCode"], e["townshipCode"]): Decimal(e["quantity"])
            for e in s["byTownship"]} == by_township

    plan = (await coop.gql.ok(
        """mutation($s: String!) { createSourcingPlan(season: $s) { season lines { townshipCode
             sku demandQty stockQty toSourceQty listPrice discountRate collectivePrice } } }""",
        {"s": SEASON}, coop.county()))["createSourcingPlan"]
    planned = defaultdict(int)
    for line in plan["lines"]:
        planned[line["sku"]] += line["demandQty"]
        assert line["stockQty"] + line["toSourceQty"] == line["demandQty"]
        assert by_township[("INPUT", line["sku"], line["townshipCode"])] == line["demandQty"]
    assert planned == {c: int(q) for (k, c), q in by_item.items() if k == "INPUT"}
    urea_qy02 = next(li for li in plan["lines"]
                     if li["sku"] == "UREA-50KG" and li["townshipCode"] == "QY.02")
    assert urea_qy02["toSourceQty"] > 0  # 900 bags is more than the co-op holds
    # 让利: 150.00 × (1 − 0.05) = 142.50
    assert (urea_qy02["discountRate"], urea_qy02["collectivePrice"]) == ("0.0500", "142.50")

    again = await coop.gql("""mutation($s: String!) { createSourcingPlan(season: $s) { id } }""",
                           {"s": SEASON}, coop.county())
    assert error_codes(again) == ["CONFLICT"]


async def test_base_coop_staff_see_their_township_and_cadres_their_village(coop):
    staff = (await coop.gql.ok(SUMMARY, {"s": SEASON, "r": None},
                               coop.staff("QY.01")))["demandSummary"]
    assert {e["townshipCode"] for e in staff["byTownship"]} == {"QY.01"}
    assert error_codes(await coop.gql(SUMMARY, {"s": SEASON, "r": "QY.02"},
                                      coop.staff("QY.01"))) == ["FORBIDDEN"]
    cadre = (await coop.gql.ok(SUMMARY, {"s": SEASON, "r": None},
                               coop.cadre("QY.01.002")))["demandSummary"]
    assert {e["villageCode"] for e in cadre["byVillage"]} == {"QY.01.002"}


async def test_village_entity_carries_its_demand_reports_and_trade_summary(coop):
    village_id = str(region_id("QY.01.001"))
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Village { id
                 demandReports(season: "2031-AUTUMN") { villageCode lines { itemCode } }
                 tradeSummary(year: 2031) { total target } } } }"""
    data = await coop.gql.ok(query, {"r": [{"__typename": "Village", "id": village_id}]},
                             coop.cadre("QY.01.001"))
    village = data["_entities"][0]
    assert len(village["demandReports"]) == 2
    assert village["tradeSummary"] == {"total": "0.00", "target": None}
    body = await coop.gql(query, {"r": [{"__typename": "Village", "id": village_id}]},
                          coop.cadre("QY.01.002"))
    assert error_codes(body) == ["FORBIDDEN"]


async def test_region_entity_names_its_supply_coop(coop):
    data = await coop.gql.ok(
        """query($r: [_Any!]!) { _entities(representations: $r) { ... on Region {
             supplyCoop { id kind name } } } }""",
        {"r": [{"__typename": "Region", "id": str(region_id("QY.02"))}]}, coop.farmer("QY.02.001"))
    assert data["_entities"][0]["supplyCoop"]["id"] == coop.coop_id("QY.02")
    assert data["_entities"][0]["supplyCoop"]["kind"] == "BASE"


async def test_targets_show_progress_from_actual_trade(coop):
    year = datetime.now(UTC).year
    query = """query($y: Int!) { supplyTargets(year: $y) { villageCode target achieved
                 progressPercent } }"""
    before = {r["villageCode"]: r for r in
              (await coop.gql.ok(query, {"y": year}, coop.staff("QY.01")))["supplyTargets"]}
    assert set(before) == {"QY.01.001", "QY.01.002", "QY.01.003"}
    token = coop.farmer("QY.01.003", 2)
    item = await coop.new_item("QY.01", 10, price="250.00")
    order = (await coop.gql.ok(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"),
                                                  "lines": [{"itemId": item, "quantity": 4}]}},
                               token))["placeOrder"]["id"]
    await coop.gql.ok(coop.PAY, {"id": order, "k": "target-" + order}, token)
    after = {r["villageCode"]: r for r in
             (await coop.gql.ok(query, {"y": year}, coop.staff("QY.01")))["supplyTargets"]}
    row = after["QY.01.003"]
    assert Decimal(row["achieved"]) - Decimal(before["QY.01.003"]["achieved"]) == Decimal("1000.00")
    expected = (Decimal(row["achieved"]) * 100 / Decimal(row["target"])).quantize(Decimal("0.01"))
    assert Decimal(row["progressPercent"]) == expected
