"""The co-op's events: Protobuf messages from proto/xiangzhi/coop/v1, written to the outbox
in the transaction of the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from google.protobuf.timestamp_pb2 import Timestamp
from xiangzhi.coop.v1 import settlement_pb2, trade_pb2
from xiangzhi_shared.outbox import enqueue

SOURCE = "/xiangzhi/coop"
ORDER_TOPIC = "coop.order.v1"
PURCHASE_TOPIC = "coop.purchase.v1"
BOOKING_TOPIC = "coop.booking.v1"
SETTLEMENT_TOPIC = "coop.settlement.v1"
CURRENCY = "CNY"


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


async def order_changed(conn: asyncpg.Connection, order: dict[str, Any], lines: list[dict],
                        change: str, actor: str, at: datetime) -> None:
    msg = trade_pb2.OrderEvent(
        order_id=str(order["id"]), change=change, status=order["status"],
        base_coop_id=str(order["coop_id"]), township_code=order["township_code"],
        buyer_kind=order["buyer_kind"], buyer_id=str(order["buyer_id"]),
        village_code=order["village_code"], total=str(order["total"]),
        discount=str(order["discount"]), currency=CURRENCY, actor_id=actor,
        lines=[trade_pb2.OrderLine(item_id=str(li["item_id"]), sku=li["sku"],
                                   quantity=li["quantity"], unit_price=str(li["unit_price"]),
                                   amount=str(li["amount"])) for li in lines])
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=ORDER_TOPIC, key=str(order["id"]),
                  ce_type=f"xiangzhi.coop.order.{change}", message=msg, source=SOURCE, time=at)


async def lot_changed(conn: asyncpg.Connection, lot: dict[str, Any], change: str, actor: str,
                      at: datetime) -> None:
    msg = trade_pb2.PurchaseEvent(
        lot_id=str(lot["id"]), change=change, status=lot["status"],
        base_coop_id=str(lot["coop_id"]), township_code=lot["township_code"],
        farmer_id=str(lot["farmer_id"]), village_code=lot["village_code"],
        produce_code=lot["produce_code"], grade=lot["grade"], weight_kg=str(lot["weight_kg"]),
        price_per_kg=str(lot["price_per_kg"]), amount_payable=str(lot["amount_payable"]),
        receipt_no=lot["receipt_no"], currency=CURRENCY, actor_id=actor)
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=PURCHASE_TOPIC, key=str(lot["id"]),
                  ce_type=f"xiangzhi.coop.purchase.{change}", message=msg, source=SOURCE, time=at)


async def booking_changed(conn: asyncpg.Connection, b: dict[str, Any], change: str, actor: str,
                          at: datetime) -> None:
    msg = trade_pb2.BookingEvent(
        booking_id=str(b["id"]), change=change, status=b["status"],
        base_coop_id=str(b["coop_id"]), township_code=b["township_code"],
        team_id=str(b["team_id"]), service_kind=b["kind"], farmer_id=str(b["farmer_id"]),
        village_code=b["village_code"], service_date=b["service_date"].isoformat(),
        area_mu=str(b["area_mu"]), amount=str(b["amount"]), currency=CURRENCY, actor_id=actor,
        completion_note=b.get("completion_note") or "")
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=BOOKING_TOPIC, key=str(b["id"]),
                  ce_type=f"xiangzhi.coop.booking.{change}", message=msg, source=SOURCE, time=at)


async def settlement_published(conn: asyncpg.Connection, s: dict[str, Any],
                               township_code: str) -> None:
    msg = settlement_pb2.SettlementPublished(
        settlement_id=str(s["id"]), base_coop_id=str(s["coop_id"]), township_code=township_code,
        period=s["period"], revenue=str(s["revenue"]), cost=str(s["cost"]),
        distributable_profit=str(s["distributable_profit"]), currency=CURRENCY)
    msg.settled_at.CopyFrom(_ts(s["settled_at"]))
    await enqueue(conn, topic=SETTLEMENT_TOPIC, key=str(s["coop_id"]),
                  ce_type="xiangzhi.coop.settlement.published", message=msg, source=SOURCE,
                  time=s["settled_at"])
