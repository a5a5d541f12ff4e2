"""The shares service's events: Protobuf messages from proto/xiangzhi/shares/v1, written to
the outbox in the transaction that makes the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from google.protobuf.timestamp_pb2 import Timestamp
from xiangzhi.shares.v1 import events_pb2
from xiangzhi_shared.outbox import enqueue

from .domain.money import yuan

SOURCE = "/xiangzhi/shares"
REGISTER_TOPIC = "shares.register.v1"
DISTRIBUTION_TOPIC = "shares.distribution.v1"
ENTRY_CHANGE = {"ISSUE": "issued", "TRANSFER": "transferred", "PROXY_CONVERSION": "proxy_converted"}


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


async def ledger_entry_recorded(conn: asyncpg.Connection, register: dict[str, Any],
                                op: dict[str, Any], lines: list[tuple[Any, Any, int, int]]) -> None:
    msg = events_pb2.LedgerEntryRecorded(
        entry_id=str(op["id"]), sequence=op["seq"], register_id=str(register["id"]),
        register_kind=register["kind"], region_code=register["region_code"], kind=op["kind"],
        share_class=op["share_class"], shares=op["shares"], basis=op["basis"] or "",
        basis_value=str(yuan(op["basis_value_fen"])), appraisal_ref=op["appraisal_ref"] or "",
        approval_ref=op["approval_ref"] or "", actor_id=op["actor"],
        lines=[events_pb2.LedgerLine(holder_party_id=str(h), beneficial_owner_id=str(b),
                                     shares_delta=s, paid_in_delta=str(yuan(p)))
               for h, b, s, p in lines])
    msg.occurred_at.CopyFrom(_ts(op["created_at"]))
    await enqueue(conn, topic=REGISTER_TOPIC, key=str(register["id"]),
                  ce_type=f"xiangzhi.shares.register.{ENTRY_CHANGE[op['kind']]}", message=msg,
                  source=SOURCE, time=op["created_at"])


async def run_changed(conn: asyncpg.Connection, register: dict[str, Any], run: dict[str, Any],
                      line_count: int, actor: str, at: datetime) -> None:
    change = run["status"].lower()
    msg = events_pb2.DistributionRunChanged(
        run_id=str(run["id"]), register_id=str(register["id"]), register_kind=register["kind"],
        region_code=register["region_code"], kind=run["kind"], status=run["status"],
        declared_amount=str(yuan(run["declared_fen"])), fixed_rate=format(run["fixed_rate"].normalize(), "f"),
        period=run["period"], source=run["source"], source_ref=run["source_ref"] or "",
        reverses_run_id=str(run["reverses_run_id"] or ""), line_count=line_count, actor_id=actor)
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=DISTRIBUTION_TOPIC, key=str(register["id"]),
                  ce_type=f"xiangzhi.shares.distribution.{change}", message=msg, source=SOURCE,
                  time=at)
