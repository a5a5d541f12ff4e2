"""Income from the co-op: a base supply co-op's settlement (coop.settlement.v1) is split
over that co-op's register and credited to each village collective, automatically.

The base co-op's register is found by its external reference (the co-op's id). The run's
idempotency key is the settlement id, so a redelivered event (caught by the inbox) and a
re-published settlement (a new event id, the same settlement) both allocate once. A
settlement that cannot be applied (unknown co-op, amount with a fraction of a fen) is
retried, then dead-lettered to dlq.shares.v1 with its error.
"""

from __future__ import annotations

from fractions import Fraction

import asyncpg
from xiangzhi.coop.v1 import settlement_pb2
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.envelope import Event
from xiangzhi_shared.errors import NotFound, ValidationFailed
from xiangzhi_shared.metrics import ServiceMetrics

from . import distributions, ledger
from .domain.money import parse_yuan
from .settings import SharesSettings

ACTOR = "coop-settlement"


async def apply_settlement(conn: asyncpg.Connection, event: Event) -> None:
    msg = event.message
    if not isinstance(msg, settlement_pb2.SettlementPublished):
        raise ValidationFailed(f"unexpected message {msg.DESCRIPTOR.full_name}")
    if not msg.settlement_id:
        raise ValidationFailed("settlement without settlement_id")
    if msg.currency and msg.currency != "CNY":
        raise ValidationFailed(f"unsupported currency {msg.currency}")
    profit_fen = parse_yuan(msg.distributable_profit, "distributable_profit")
    register_id = await conn.fetchval(
        "SELECT id FROM share_register WHERE kind = 'BASE_COOP' AND external_ref = $1",
        msg.base_coop_id)
    if register_id is None:
        raise NotFound(f"no register for base co-op {msg.base_coop_id}")
    register = await ledger.lock_register(conn, register_id, "SHARE")
    run, created = await distributions.create_run_in(
        conn, register, declared_fen=profit_fen, rate=Fraction(0), period=msg.period or "-",
        idempotency_key=f"settlement:{msg.settlement_id}", actor=ACTOR, source="COOP_SETTLEMENT",
        source_ref=msg.settlement_id, note=f"{msg.township_code} {msg.period} 供销社分红")
    if not created and run["status"] == "POSTED":
        return  # the same settlement again: already allocated and credited
    run = await distributions.fetch_run(conn, run["id"], lock=True)
    if run["status"] == "DRAFT":
        run = await distributions.review_in(conn, run, register, ACTOR, four_eyes=False)
    if run["status"] == "REVIEWED":
        await distributions.post_in(conn, run, register, ACTOR)


def settlement_consumer(pool: asyncpg.Pool, settings: SharesSettings,
                        metrics: ServiceMetrics) -> EventConsumer:
    return EventConsumer(pool, settings, name="coop-settlements",
                         topics=[settings.settlement_topic], handler=apply_settlement,
                         dead_letter_topic=settings.dead_letter_topic, metrics=metrics)
