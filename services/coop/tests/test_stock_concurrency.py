"""Stock never goes negative: racing buyers for the last units, and cancellations."""

from __future__ import annotations

import asyncio

from xiangzhi_shared.testing import error_codes


async def test_fifty_concurrent_orders_for_the_last_ten_units_sell_exactly_ten(coop):
    item = await coop.new_item("QY.01", 10)
    villages = ["QY.01.001", "QY.01.002", "QY.01.003"]
    buyers = [coop.farmer(villages[i % 3], i % 4) for i in range(50)]

    async def order(token):
        return await coop.gql(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"),
                                            "lines": [{"itemId": item, "quantity": 1}]}}, token)

    bodies = await asyncio.gather(*(order(t) for t in buyers))
    won = [b for b in bodies if not b.get("errors")]
    lost = [b for b in bodies if b.get("errors")]
    assert len(won) == 10
    assert all(error_codes(b) == ["INVALID_STATE"] for b in lost), lost[:1]
    assert await coop.stock("QY.01", item) == 0
    assert await coop.pool.fetchval(
        "SELECT coalesce(sum(quantity), 0) FROM order_line WHERE item_id=$1::uuid", item) == 10
    placed = await coop.pool.fetchval(
        """SELECT count(*) FROM outbox WHERE ce_type='xiangzhi.coop.order.placed'
           AND key = ANY($1::text[])""", [b["data"]["placeOrder"]["id"] for b in won])
    assert placed == 10


async def test_an_order_larger_than_stock_is_refused_with_what_is_left(coop):
    item = await coop.new_item("QY.02", 3)
    body = await coop.gql(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.02"),
                                        "lines": [{"itemId": item, "quantity": 4}]}},
                          coop.farmer("QY.02.001"))
    assert error_codes(body) == ["INVALID_STATE"]
    assert body["errors"][0]["extensions"]["available"] == 3
    assert await coop.stock("QY.02", item) == 3


async def test_a_multi_line_order_takes_all_lines_or_none(coop):
    plenty = await coop.new_item("QY.01", 50)
    scarce = await coop.new_item("QY.01", 1)
    body = await coop.gql(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"), "lines": [
        {"itemId": plenty, "quantity": 5}, {"itemId": scarce, "quantity": 2}]}},
        coop.farmer("QY.01.001"))
    assert error_codes(body) == ["INVALID_STATE"]
    assert await coop.stock("QY.01", plenty) == 50
    assert await coop.stock("QY.01", scarce) == 1


async def test_cancelling_a_reserved_order_returns_its_stock(coop):
    item = await coop.new_item("QY.01", 5)
    token = coop.farmer("QY.01.002", 1)
    data = await coop.gql.ok(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"),
                                           "lines": [{"itemId": item, "quantity": 5}]}}, token)
    assert await coop.stock("QY.01", item) == 0
    cancel = "mutation($id: ID!) { cancelOrder(id: $id) { status } }"
    order = data["placeOrder"]["id"]
    assert (await coop.gql.ok(cancel, {"id": order}, token))["cancelOrder"]["status"] == "CANCELLED"
    assert await coop.stock("QY.01", item) == 5
    assert error_codes(await coop.gql(cancel, {"id": order}, token)) == ["INVALID_STATE"]
    assert await coop.stock("QY.01", item) == 5
