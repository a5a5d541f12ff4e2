"""Grid matter → ticket: a matter about a utility (UTILITY_<X>) becomes one dispatch ticket
when grid accepts it (受理). Consumed from grid.matter.v1; the inbox makes a redelivered event
a no-op, and the unique matter_id makes a second ticket for the same matter impossible."""

from __future__ import annotations

import uuid

import asyncpg
from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.envelope import Event
from xiangzhi_shared.metrics import ServiceMetrics
from xiangzhi_shared.settings import ServiceSettings

from . import tickets
from .clock import utc_now
from .domain.categories import MATTER_TICKET_CATEGORY
from .domain.partners import partner_of_matter_category
from .domain.tickets import TITLE_MAX
from .events import DEAD_LETTERS

MATTER_TOPIC = "grid.matter.v1"


async def _learn_places(conn: asyncpg.Connection, msg: MatterEvent) -> None:
    """Dispatch keeps the ids and codes of the places it serves; grid's events tell it."""
    parts = msg.region_code.split(".")
    village_code = ".".join(parts[:3])
    await conn.execute("INSERT INTO place (id, code, level) VALUES ($1, $2, 'VILLAGE') "
                       "ON CONFLICT DO NOTHING", uuid.UUID(msg.village_id), village_code)
    if len(parts) == 4:
        await conn.execute("INSERT INTO place (id, code, level) VALUES ($1, $2, 'GRID') "
                           "ON CONFLICT DO NOTHING", uuid.UUID(msg.region_id), msg.region_code)


async def on_matter_event(conn: asyncpg.Connection, event: Event) -> None:
    msg = event.message
    if not isinstance(msg, MatterEvent):
        raise ValueError(f"expected a MatterEvent, got {msg.DESCRIPTOR.full_name}")
    partner = partner_of_matter_category(msg.category)
    if msg.change != "accepted" or partner is None:
        return
    matter_id = uuid.UUID(msg.matter_id)
    if await conn.fetchval("SELECT 1 FROM ticket WHERE matter_id=$1", matter_id):
        return  # the same matter accepted again (a replayed or re-published event)
    await _learn_places(conn, msg)
    village = await conn.fetchrow("SELECT id, code, name FROM place WHERE id=$1",
                                  uuid.UUID(msg.village_id))
    region_code = msg.region_code
    grid_id = uuid.UUID(msg.region_id) if region_code.count(".") == 3 else None
    await tickets.create(
        conn, partner=partner.value, category=MATTER_TICKET_CATEGORY,
        title=msg.title[:TITLE_MAX] or "网格事项", description=f"网格事项 {msg.matter_id}",
        location=msg.location or None, photo_refs=[], village=village, grid_id=grid_id,
        region_code=region_code, reporter_id=msg.reporter_id or msg.actor_id,
        reporter_role="resident" if msg.reporter_id else "grid_worker",
        actor=f"grid:{msg.actor_id}", matter_id=matter_id, now=utc_now())


def matter_intake(pool: asyncpg.Pool, settings: ServiceSettings,
                  metrics: ServiceMetrics) -> EventConsumer:
    return EventConsumer(pool, settings, name="matter-intake", topics=[MATTER_TOPIC],
                         handler=on_matter_event, dead_letter_topic=DEAD_LETTERS,
                         metrics=metrics)
