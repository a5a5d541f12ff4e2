"""Dispatch's events: Protobuf messages from proto/xiangzhi/dispatch/v1, written to the outbox.

Every change goes to dispatch.ticket.v1 (internal: grid listens for resolutions). Once a
ticket is routed, its changes also go to its partner's own feed partner.<code>.tickets.v1 —
and only there — with no reporter identity (partners get the work, not the people)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from google.protobuf.timestamp_pb2 import Timestamp
from xiangzhi.dispatch.v1 import partner_feed_pb2, tickets_pb2
from xiangzhi_shared.outbox import enqueue

SOURCE = "/xiangzhi/dispatch"
TICKET_TOPIC = "dispatch.ticket.v1"
DEAD_LETTERS = "dlq.dispatch.v1"
UPDATE_CE_TYPE = "xiangzhi.partner.ticket_update"


def feed_topic(partner: str) -> str:
    return f"partner.{partner}.tickets.v1"


def updates_topic(partner: str) -> str:
    return f"partner.{partner}.updates.v1"


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def _s(value: Any) -> str:
    return "" if value is None else str(value)


async def ticket_changed(conn: asyncpg.Connection, row: dict[str, Any], change: str, actor: str,
                         note: str | None, at: datetime) -> None:
    key = str(row["id"])
    msg = tickets_pb2.TicketEvent(
        ticket_id=key, change=change, status=row["status"], partner=row["partner_code"],
        category=row["category"], route=_s(row["route"]), coordinator_id=_s(row["coordinator_id"]),
        village_id=str(row["village_id"]), village_code=row["village_code"],
        region_code=row["region_code"], matter_id=_s(row["matter_id"]),
        reporter_id=row["reporter_id"], title=row["title"], resolution=_s(row["resolution"]),
        actor_id=actor, note=_s(note))
    msg.due_at.CopyFrom(_ts(row["due_at"]))
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=TICKET_TOPIC, key=key, ce_type=f"xiangzhi.dispatch.ticket.{change}",
                  message=msg, source=SOURCE, time=at)
    if row["route"] is None:
        return  # not routed yet: nothing for the partner to act on
    feed = partner_feed_pb2.PartnerTicket(
        ticket_id=key, partner=row["partner_code"], change=change, status=row["status"],
        category=row["category"], route=row["route"], coordinator_id=_s(row["coordinator_id"]),
        title=row["title"], description=_s(row["description"]), village_code=row["village_code"],
        village_name=_s(row.get("village_name")), region_code=row["region_code"],
        location=_s(row["location"]), photo_refs=list(row["photo_refs"] or []),
        resolution=_s(row["resolution"]))
    feed.due_at.CopyFrom(_ts(row["due_at"]))
    feed.occurred_at.CopyFrom(_ts(at))
    feed.reported_at.CopyFrom(_ts(row["reported_at"]))
    await enqueue(conn, topic=feed_topic(row["partner_code"]), key=key,
                  ce_type=f"xiangzhi.dispatch.partner_ticket.{change}", message=feed,
                  source=SOURCE, time=at)
