"""Settlement publishes exactly one SettlementPublished per (base co-op, period), through the
outbox onto coop.settlement.v1, with distributable profit = revenue − cost."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from coop import bookings, orders, purchases
from coop.seed import COUNTY_ADMIN
from xiangzhi.coop.v1.settlement_pb2 import SettlementPublished
from xiangzhi_shared.testing import TopicTail, error_codes

SETTLE = """mutation($c: ID!, $p: String!) { settlePeriod(coopId: $c, period: $p) {
              id period revenue cost distributableProfit townshipCode } }"""


async def _trade_in(coop, at: datetime) -> None:
    """Known trade of 西岭乡 base co-op at a moment in a past quarter."""
    clock = lambda: at  # noqa: E731
    c, village = coop.coop_id("QY.02"), "QY.02.003"
    farmer = coop.farmer_id(village, 2)
    o = await orders.place(coop.pool, COUNTY_ADMIN, coop_id=c, farmer_id=farmer,
                           village_code=village, clock=clock,
                           lines=[(coop.item_id("UREA-50KG"), 3), (coop.item_id("FILM-5KG"), 1)])
    await orders.pay(coop.pool, COUNTY_ADMIN, str(o["id"]), idempotency_key=f"t-{o['id']}",
                     clock=clock)
    # a reserved, unpaid order is not revenue
    await orders.place(coop.pool, COUNTY_ADMIN, coop_id=c, farmer_id=farmer, village_code=village,
                       clock=clock, lines=[(coop.item_id("NPK-40KG"), 2)])
    await purchases.record(coop.pool, COUNTY_ADMIN, coop_id=c, farmer_id=farmer,
                           village_code=village, produce_code="MAIZE", grade="B",
                           weight_kg=Decimal("2000.5"), clock=clock)
    b = await bookings.book(coop.pool, COUNTY_ADMIN, team_id=coop.team_id("QY.02", "dry"),
                            service_date=at.date(), area_mu=Decimal("10"), farmer_id=farmer,
                            village_code=village, clock=clock)
    await bookings.complete(coop.pool, COUNTY_ADMIN, str(b["id"]), None, clock=clock)


async def test_settlement_publishes_one_decodable_event_with_profit_revenue_minus_cost(coop):
    await _trade_in(coop, datetime(2025, 2, 10, 9, tzinfo=UTC))
    # revenue: inputs 3×150 + 65 = 515.00; maize 2000.5×2.45 = 4901.225 → 4901.23;
    #          drying 10×40 = 400.00                                      → 5816.23
    # cost:    3×128.5 + 52 = 437.50; 2000.5×2.20 = 4401.10; 10×26 = 260.00 → 5098.60
    county = coop.county()
    async with TopicTail("coop.settlement.v1") as tail:
        first = (await coop.gql.ok(SETTLE, {"c": coop.coop_id("QY.02"), "p": "2025-Q1"},
                                   county))["settlePeriod"]
        again = (await coop.gql.ok(SETTLE, {"c": coop.coop_id("QY.02"), "p": "2025-Q1"},
                                   coop.staff("QY.02")))["settlePeriod"]
        events = await tail.collect(lambda e: e.key == coop.coop_id("QY.02")
                                    and e.message.period == "2025-Q1", count=1, settle_s=2.5)
    assert first == again
    assert (first["revenue"], first["cost"]) == ("5816.23", "5098.60")
    assert first["distributableProfit"] == "717.63"
    assert len(events) == 1
    msg = events[0].message
    assert isinstance(msg, SettlementPublished)
    assert events[0].type == "xiangzhi.coop.settlement.published"
    assert msg.settlement_id == first["id"]
    assert msg.base_coop_id == coop.coop_id("QY.02") and msg.township_code == "QY.02"
    assert Decimal(msg.distributable_profit) == Decimal(msg.revenue) - Decimal(msg.cost)
    assert msg.distributable_profit == "717.63" and msg.currency == "CNY"


async def test_an_open_period_cannot_be_settled(coop):
    now = datetime.now(UTC)
    body = await coop.gql(SETTLE, {"c": coop.coop_id("QY.01"),
                                   "p": f"{now.year}-{now.month:02d}"}, coop.county())
    assert error_codes(body) == ["INVALID_STATE"]


async def test_the_seed_published_last_months_settlement(coop):
    data = await coop.gql.ok("{ coopSettlements { period townshipCode distributableProfit } }",
                             token=coop.county())
    assert [s["townshipCode"] for s in data["coopSettlements"]].count("QY.01") >= 1
    assert await coop.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE topic='coop.settlement.v1'") >= 1


async def test_trade_events_carry_their_change_and_exact_amounts(coop):
    token = coop.farmer("QY.01.001", 1)
    item = await coop.new_item("QY.01", 5, price="33.33")
    async with TopicTail("coop.order.v1") as tail:
        order = (await coop.gql.ok(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"),
                                                      "lines": [{"itemId": item, "quantity": 3}]}},
                                   token))["placeOrder"]["id"]
        await coop.gql.ok(coop.PAY, {"id": order, "k": "ev-" + order}, token)
        events = await tail.collect(lambda e: e.key == order, count=2)
    assert [e.type for e in events] == ["xiangzhi.coop.order.placed", "xiangzhi.coop.order.paid"]
    assert events[0].message.total == "99.99"
    assert events[0].message.lines[0].quantity == 3
    assert events[1].message.village_code == "QY.01.001"
