"""Progress partners report on partner.<code>.updates.v1. One consumer reads every partner's
updates topic; each update is applied once (inbox by ce_id) and only if the partner named in
it is the topic's partner and the ticket's. Updates only move a ticket forward: a late,
repeated or out-of-order one is recorded as IGNORED and changes nothing; a malformed or
foreign one is refused and dead-lettered."""

from __future__ import annotations

import uuid
from datetime import UTC

import asyncpg
from xiangzhi.dispatch.v1.partner_feed_pb2 import PartnerTicketUpdate
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.envelope import Event
from xiangzhi_shared.errors import Forbidden, InvalidState, ValidationFailed
from xiangzhi_shared.metrics import ServiceMetrics
from xiangzhi_shared.settings import ServiceSettings
from xiangzhi_shared.topics import load_catalogue

from . import tickets
from .clock import utc_now
from .domain import tickets as rules
from .domain.partners import partner_of_topic
from .domain.tickets import TicketStatus
from .events import DEAD_LETTERS, updates_topic


async def _record(conn: asyncpg.Connection, event: Event, msg: PartnerTicketUpdate,
                  ticket_id: uuid.UUID, outcome: str, detail: str | None) -> None:
    await conn.execute(
        """INSERT INTO partner_update (event_id, ticket_id, partner_code, status, note,
               specialist, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        event.id, ticket_id, msg.partner, msg.status, msg.note or None, msg.specialist or None,
        outcome, detail)


async def on_partner_update(conn: asyncpg.Connection, event: Event) -> None:
    msg = event.message
    if not isinstance(msg, PartnerTicketUpdate):
        raise ValidationFailed(f"expected a PartnerTicketUpdate, got "
                               f"{msg.DESCRIPTOR.full_name}")
    topic_partner = partner_of_topic(event.topic)
    if not msg.partner or msg.partner != topic_partner:
        raise Forbidden(f"update names partner {msg.partner!r} on {event.topic}")
    try:
        target = TicketStatus(msg.status)
        ticket_id = uuid.UUID(msg.ticket_id)
    except ValueError as exc:
        raise ValidationFailed(f"malformed update: {exc}") from exc
    row = await tickets.fetch_ticket(conn, ticket_id, lock=True)
    if row["partner_code"] != msg.partner:
        raise Forbidden(f"ticket {ticket_id} does not belong to partner {msg.partner}")
    ticket = tickets.to_domain(row)
    occurred = msg.occurred_at.ToDatetime().replace(tzinfo=UTC) \
        if msg.HasField("occurred_at") else None
    if row["route"] != "PARTNER":
        return await _record(conn, event, msg, ticket_id, "IGNORED",
                             f"routed to {row['route'] or 'nobody'}, not to the partner")
    if rules.is_stale_update(ticket, occurred):
        return await _record(conn, event, msg, ticket_id, "IGNORED",
                             "made before the ticket was reopened")
    try:
        steps = rules.advance(ticket, target, msg.note or None)
    except InvalidState as exc:
        return await _record(conn, event, msg, ticket_id, "IGNORED", exc.message)
    actor = f"partner:{msg.partner}" + (f"/{msg.specialist}" if msg.specialist else "")
    now = utc_now()
    for step in steps:
        row = await tickets._write(conn, row, step, actor, now)
    await _record(conn, event, msg, ticket_id, "APPLIED", None)


def partner_updates(pool: asyncpg.Pool, settings: ServiceSettings,
                    metrics: ServiceMetrics) -> EventConsumer:
    topics = [updates_topic(code) for code in load_catalogue().partners]
    return EventConsumer(pool, settings, name="partner-updates", topics=topics,
                         handler=on_partner_update, dead_letter_topic=DEAD_LETTERS,
                         metrics=metrics)
