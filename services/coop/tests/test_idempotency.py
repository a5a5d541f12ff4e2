"""Every mutation that charges or pays takes an idempotency key: a retry returns the first
result and charges once; the same key for a different request is a CONFLICT."""

from __future__ import annotations

import asyncio
import uuid

from xiangzhi.coop.v1.trade_pb2 import OrderEvent
from xiangzhi_shared.testing import TopicTail, error_codes


async def _reserved_order(coop, token, qty=2):
    item = await coop.new_item("QY.01", 20, price="123.45")
    data = await coop.gql.ok(coop.PLACE, {"i": {"coopId": coop.coop_id("QY.01"),
                                                "lines": [{"itemId": item, "quantity": qty}]}},
                             token)
    return data["placeOrder"]["id"], item


async def test_a_payment_retried_with_the_same_key_charges_once(coop):
    token = coop.farmer("QY.01.001", 2)
    order, _ = await _reserved_order(coop, token)
    key = str(uuid.uuid4())
    async with TopicTail("coop.order.v1") as tail:
        first = await coop.gql.ok(coop.PAY, {"id": order, "k": key}, token)
        # the client lost the response and retries, several times at once
        retries = await asyncio.gather(*(coop.gql.ok(coop.PAY, {"id": order, "k": key}, token)
                                         for _ in range(5)))
        events = await tail.collect(lambda e: e.key == order and e.type.endswith(".paid"),
                                    count=1, settle_s=2.0)
    assert all(r["payOrder"] == first["payOrder"] for r in retries)
    assert first["payOrder"]["status"] == "PAID"
    assert first["payOrder"]["total"] == "246.90"
    assert await coop.pool.fetchval("SELECT count(*) FROM payment WHERE order_id=$1::uuid",
                                    order) == 1
    amount = await coop.pool.fetchval("SELECT amount FROM payment WHERE order_id=$1::uuid", order)
    assert str(amount) == "246.90"
    assert len(events) == 1
    assert isinstance(events[0].message, OrderEvent)
    assert events[0].message.status == "PAID" and events[0].message.total == "246.90"


async def test_paying_again_with_a_new_key_is_refused_and_charges_nothing(coop):
    token = coop.farmer("QY.01.001", 3)
    order, _ = await _reserved_order(coop, token)
    await coop.gql.ok(coop.PAY, {"id": order, "k": "k1-" + order}, token)
    body = await coop.gql(coop.PAY, {"id": order, "k": "k2-" + order}, token)
    assert error_codes(body) == ["INVALID_STATE"]
    assert await coop.pool.fetchval("SELECT count(*) FROM payment WHERE order_id=$1::uuid",
                                    order) == 1


async def test_the_same_key_for_a_different_request_is_a_conflict(coop):
    token = coop.farmer("QY.01.002", 2)
    a, _ = await _reserved_order(coop, token)
    b, _ = await _reserved_order(coop, token)
    key = str(uuid.uuid4())
    await coop.gql.ok(coop.PAY, {"id": a, "k": key}, token)
    body = await coop.gql(coop.PAY, {"id": b, "k": key}, token)
    assert error_codes(body) == ["CONFLICT"]
    assert await coop.pool.fetchval("SELECT status FROM sales_order WHERE id=$1::uuid",
                                    b) == "RESERVED"


async def test_keys_are_per_caller(coop):
    """Two farmers who happen to pick the same key do not see each other's results."""
    key = "same-key-" + str(uuid.uuid4())
    one, two = coop.farmer("QY.01.003", 0), coop.farmer("QY.01.003", 1)
    a, _ = await _reserved_order(coop, one)
    b, _ = await _reserved_order(coop, two)
    assert (await coop.gql.ok(coop.PAY, {"id": a, "k": key}, one))["payOrder"]["id"] == a
    assert (await coop.gql.ok(coop.PAY, {"id": b, "k": key}, two))["payOrder"]["id"] == b


async def test_placing_an_order_retried_with_its_key_reserves_once(coop):
    token = coop.farmer("QY.01.002", 3)
    item = await coop.new_item("QY.01", 10)
    request = {"i": {"coopId": coop.coop_id("QY.01"), "lines": [{"itemId": item, "quantity": 3}],
                     "idempotencyKey": str(uuid.uuid4())}}
    results = await asyncio.gather(*(coop.gql.ok(coop.PLACE, request, token) for _ in range(4)))
    assert len({r["placeOrder"]["id"] for r in results}) == 1
    assert await coop.stock("QY.01", item) == 7


async def test_a_purchase_payment_retried_pays_the_farmer_once(coop):
    staff = coop.staff("QY.02")
    record = """mutation($i: RecordPurchaseInput!) { recordPurchase(input: $i) { id amountPayable
                  receiptNo } }"""
    request = {"i": {"coopId": coop.coop_id("QY.02"), "farmerId": coop.farmer_id("QY.02.002"),
                     "villageCode": "QY.02.002", "produceCode": "RICE", "grade": "A",
                     "weightKg": "1000.005", "idempotencyKey": str(uuid.uuid4())}}
    first = await coop.gql.ok(record, request, staff)
    again = await coop.gql.ok(record, request, staff)
    assert first == again
    # 1000.005 kg × 3.10 = 3100.0155 → 3100.02 (ROUND_HALF_UP to the fen)
    assert first["recordPurchase"]["amountPayable"] == "3100.02"
    lot = first["recordPurchase"]["id"]
    pay = """mutation($id: ID!, $k: String!) { payPurchase(id: $id, idempotencyKey: $k)
               { status paidAt } }"""
    p1 = await coop.gql.ok(pay, {"id": lot, "k": "pay-" + lot}, staff)
    p2 = await coop.gql.ok(pay, {"id": lot, "k": "pay-" + lot}, staff)
    assert p1 == p2 and p1["payPurchase"]["status"] == "PAID"
    assert await coop.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE key=$1 AND ce_type='xiangzhi.coop.purchase.paid'",
        lot) == 1
