"""Ticket resolution → matter: when dispatch resolves the ticket a utility matter became
(村网共建), the matter gets its handling record (办理) from the ticket's resolution.

Consumed from dispatch.ticket.v1 with the shared EventConsumer (inbox idempotence, bounded
retries, dead letters to dlq.grid.v1). The matter moves through grid's own rules (assign,
then handle), so closing and the follow-up visit stay with grid's staff. Applying the same
resolution twice, or to a matter already past handling, changes nothing."""

from __future__ import annotations

import logging

import asyncpg
from xiangzhi.dispatch.v1.tickets_pb2 import TicketEvent
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.envelope import Event
from xiangzhi_shared.errors import NotFound
from xiangzhi_shared.metrics import ServiceMetrics
from xiangzhi_shared.settings import ServiceSettings

from . import matters
from .clock import utc_now
from .domain import matters as rules
from .domain.matters import MatterStatus

log = logging.getLogger(__name__)

TICKET_TOPIC = "dispatch.ticket.v1"
RESOLVED = "xiangzhi.dispatch.ticket.resolved"
DEAD_LETTERS = "dlq.grid.v1"
ACTOR = "dispatch"


async def on_ticket_event(conn: asyncpg.Connection, event: Event) -> None:
    msg = event.message
    if not isinstance(msg, TicketEvent):
        raise ValueError(f"expected a TicketEvent, got {msg.DESCRIPTOR.full_name}")
    if event.type != RESOLVED or not msg.matter_id:
        return  # only resolutions of tickets that came from a matter concern grid
    try:
        row = await matters.fetch_matter(conn, matters.parse_id(msg.matter_id, "matter_id"),
                                         lock=True)
    except NotFound:
        log.warning("ticket %s resolved for unknown matter %s", msg.ticket_id, msg.matter_id)
        return
    now = utc_now()
    if row["status"] == MatterStatus.ACCEPTED.value:
        # 交办 first: the matter was in effect assigned to whoever the ticket went to.
        assignee = msg.coordinator_id or f"partner:{msg.partner}"
        row = await matters.record_transition(
            conn, row, rules.assign(matters.to_domain(row), assignee), ACTOR, now)
    if row["status"] == MatterStatus.ASSIGNED.value:
        record = f"{msg.resolution}（工单 {msg.ticket_id}）"
        await matters.record_transition(
            conn, row, rules.handle(matters.to_domain(row), record), ACTOR, now)
    # HANDLED or later: already moved on (a redelivery, or grid staff were faster).


def ticket_feedback(pool: asyncpg.Pool, settings: ServiceSettings,
                    metrics: ServiceMetrics) -> EventConsumer:
    return EventConsumer(pool, settings, name="ticket-feedback", topics=[TICKET_TOPIC],
                         handler=on_ticket_event, dead_letter_topic=DEAD_LETTERS,
                         metrics=metrics)
