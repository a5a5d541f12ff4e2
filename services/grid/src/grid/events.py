"""The grid's events: Protobuf messages from proto/xiangzhi/grid/v1, written to the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from google.protobuf.timestamp_pb2 import Timestamp
from xiangzhi.grid.v1 import events_pb2
from xiangzhi_shared.outbox import enqueue

SOURCE = "/xiangzhi/grid"
MATTER_TOPIC = "grid.matter.v1"
LIST_TOPIC = "grid.list.v1"
SERVICE_TOPIC = "grid.service.v1"


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


async def matter_changed(conn: asyncpg.Connection, row: dict[str, Any], change: str, actor: str,
                         note: str | None, at: datetime) -> None:
    msg = events_pb2.MatterEvent(
        matter_id=str(row["id"]), change=change, status=row["status"], category=row["category"],
        title=row["title"], region_id=str(row["region_id"]), region_code=row["region_code"],
        village_id=str(row["village_id"]), reporter_id=str(row["reporter_id"] or ""),
        assignee_id=row["assignee_id"] or "", escalation_level=row["escalation_level"],
        actor_id=actor, note=note or "", satisfaction=row["satisfaction"] or 0,
        location=row["location"] or "",
    )
    if row["due_at"] is not None:
        msg.due_at.CopyFrom(_ts(row["due_at"]))
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=MATTER_TOPIC, key=str(row["id"]),
                  ce_type=f"xiangzhi.grid.matter.{change}", message=msg, source=SOURCE, time=at)


async def list_item_changed(conn: asyncpg.Connection, row: dict[str, Any], change: str,
                            at: datetime) -> None:
    msg = events_pb2.ListItemEvent(
        item_id=str(row["id"]), list=row["list"], change=change, status=row["status"],
        title=row["title"], region_code=row["region_code"],
        claimed_by_unit=row["claimed_by_unit"] or "", progress_percent=row["progress_percent"])
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=LIST_TOPIC, key=str(row["id"]),
                  ce_type=f"xiangzhi.grid.list_item.{change}", message=msg, source=SOURCE, time=at)


async def service_changed(conn: asyncpg.Connection, row: dict[str, Any], change: str,
                          at: datetime) -> None:
    msg = events_pb2.ServiceEvent(
        request_id=str(row["id"]), kind=row["kind"], change=change, status=row["status"],
        region_code=row["region_code"], resident_id=str(row["resident_id"]),
        handler_id=row["handler_id"] or "")
    if row["scheduled_for"] is not None:
        msg.scheduled_for.CopyFrom(_ts(row["scheduled_for"]))
    msg.occurred_at.CopyFrom(_ts(at))
    await enqueue(conn, topic=SERVICE_TOPIC, key=str(row["id"]),
                  ce_type=f"xiangzhi.grid.service.{change}", message=msg, source=SOURCE, time=at)
