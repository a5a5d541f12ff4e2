"""Consumers on the real broker: grid matters become tickets once; partner updates apply once,
only forward, and only from the ticket's own partner; resolutions go out on
dispatch.ticket.v1 for grid."""

from __future__ import annotations

import asyncio
import uuid

from dispatch_testkit import ACCEPT, REPORT, RESOLVE, produce, report_input
from xiangzhi.dispatch.v1.partner_feed_pb2 import PartnerTicketUpdate
from xiangzhi.dispatch.v1.tickets_pb2 import TicketEvent
from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.testing import TopicTail

UPDATE = "xiangzhi.partner.ticket_update"


def matter_event(dispatch, matter_id: str, *, change: str = "accepted",
                 category: str = "UTILITY_WATER", grid: str = "QY.01.001.02") -> MatterEvent:
    village = grid.rsplit(".", 1)[0]
    return MatterEvent(matter_id=matter_id, change=change, status=change.upper(),
                       category=category, title="自来水水压低", region_id=dispatch.region_id(grid),
                       region_code=grid, village_id=dispatch.region_id(village),
                       reporter_id=str(uuid.uuid4()), actor_id="worker-1", location="二组水塔旁")


async def consumed(dispatch, event_id: str) -> str:
    return await dispatch.wait_for("SELECT status FROM inbox WHERE event_id=$1", event_id)


async def test_accepted_utility_matter_creates_exactly_one_ticket(dispatch):
    matter_id = str(uuid.uuid4())
    msg = matter_event(dispatch, matter_id)
    first = await produce("grid.matter.v1", msg, matter_id, ce_type="xiangzhi.grid.matter.accepted")
    await consumed(dispatch, first)
    row = await dispatch.pool.fetchrow(
        "SELECT partner_code, category, status, route, region_code, village_code, location "
        "FROM ticket WHERE matter_id=$1::uuid", matter_id)
    assert dict(row) == {"partner_code": "water", "category": "SIMPLE_CHECK", "status": "ROUTED",
                         "route": "COORDINATOR", "region_code": "QY.01.001.02",
                         "village_code": "QY.01.001", "location": "二组水塔旁"}

    before = await dispatch.pool.fetchrow(
        "SELECT (SELECT count(*) FROM ticket) AS tickets, (SELECT count(*) FROM ticket_step) "
        "AS steps, (SELECT count(*) FROM outbox) AS events")
    # the same event redelivered, and the same acceptance published again under a new id
    await produce("grid.matter.v1", msg, matter_id, ce_type="xiangzhi.grid.matter.accepted",
                  event_id=first)
    again = await produce("grid.matter.v1", msg, matter_id,
                          ce_type="xiangzhi.grid.matter.accepted")
    await consumed(dispatch, again)
    await asyncio.sleep(0.5)
    after = await dispatch.pool.fetchrow(
        "SELECT (SELECT count(*) FROM ticket) AS tickets, (SELECT count(*) FROM ticket_step) "
        "AS steps, (SELECT count(*) FROM outbox) AS events")
    assert after == before


async def test_other_matters_and_other_steps_create_no_ticket(dispatch):
    road, reported = str(uuid.uuid4()), str(uuid.uuid4())
    ids = [await produce("grid.matter.v1", matter_event(dispatch, road, category="ROAD"), road,
                         ce_type="xiangzhi.grid.matter.accepted"),
           await produce("grid.matter.v1", matter_event(dispatch, reported, change="reported",
                                                        category="UTILITY_POWER"), reported,
                         ce_type="xiangzhi.grid.matter.reported")]
    for event_id in ids:
        assert await consumed(dispatch, event_id) == "applied"
    assert await dispatch.pool.fetchval(
        "SELECT count(*) FROM ticket WHERE matter_id = ANY($1::uuid[])", [road, reported]) == 0


async def test_resolution_of_a_matter_ticket_is_published_for_grid(dispatch, tokens):
    matter_id = str(uuid.uuid4())
    event_id = await produce("grid.matter.v1", matter_event(dispatch, matter_id), matter_id,
                             ce_type="xiangzhi.grid.matter.accepted")
    await consumed(dispatch, event_id)
    ticket_id = await dispatch.pool.fetchval("SELECT id::text FROM ticket WHERE matter_id="
                                             "$1::uuid", matter_id)
    me = tokens("coordinator", region="QY.01.001", subject=dispatch.coordinator_id("QY.01.001"))
    async with TopicTail("dispatch.ticket.v1") as tail:
        await dispatch.gql.ok(ACCEPT, {"id": ticket_id}, me)
        await dispatch.gql.ok(RESOLVE, {"id": ticket_id, "r": "清洗减压阀"}, me)
        events = await tail.collect(lambda e: e.key == ticket_id, count=2, settle_s=0.5)
    assert [e.type for e in events] == ["xiangzhi.dispatch.ticket.accepted",
                                        "xiangzhi.dispatch.ticket.resolved"]
    resolved = events[1].message
    assert isinstance(resolved, TicketEvent)
    assert (resolved.matter_id, resolved.resolution, resolved.status) == (
        matter_id, "清洗减压阀", "RESOLVED")


async def _partner_ticket(dispatch, tokens, partner="power") -> str:
    worker = tokens("grid_worker", region="QY.01.003", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch, partner=partner,
                                                      village="QY.01.003",
                                                      category="FAULT_REPAIR"), worker)
    return data["reportTicket"]["id"]


async def _update(ticket_id: str, status: str, *, partner="power", topic_partner="power",
                  note="", event_id=None) -> str:
    msg = PartnerTicketUpdate(ticket_id=ticket_id, partner=partner, status=status, note=note)
    return await produce(f"partner.{topic_partner}.updates.v1", msg, ticket_id, ce_type=UPDATE,
                         event_id=event_id)


async def _history(dispatch, ticket_id):
    return await dispatch.pool.fetch(
        "SELECT change, status FROM ticket_step WHERE ticket_id=$1::uuid ORDER BY id", ticket_id)


async def test_duplicate_and_out_of_order_updates_change_nothing_they_should_not(dispatch,
                                                                                tokens):
    ticket_id = await _partner_ticket(dispatch, tokens)
    accepted = await _update(ticket_id, "ACCEPTED")
    await consumed(dispatch, accepted)
    await consumed(dispatch, await _update(ticket_id, "ACCEPTED", event_id=accepted))  # dup
    started = await _update(ticket_id, "IN_PROGRESS", note="抢修车已出发")
    await consumed(dispatch, started)
    late = await _update(ticket_id, "ACCEPTED")  # overtaken by IN_PROGRESS
    assert await consumed(dispatch, late) == "applied"
    resolved = await _update(ticket_id, "RESOLVED", note="已修复")
    await consumed(dispatch, resolved)
    stale = await _update(ticket_id, "IN_PROGRESS")
    await consumed(dispatch, stale)

    history = [tuple(r) for r in await _history(dispatch, ticket_id)]
    assert history == [("reported", "REPORTED"), ("routed", "ROUTED"), ("accepted", "ACCEPTED"),
                       ("started", "IN_PROGRESS"), ("resolved", "RESOLVED")]
    outcomes = {r["event_id"]: r["outcome"] for r in await dispatch.pool.fetch(
        "SELECT event_id, outcome FROM partner_update WHERE ticket_id=$1::uuid", ticket_id)}
    assert outcomes == {accepted: "APPLIED", started: "APPLIED", late: "IGNORED",
                        resolved: "APPLIED", stale: "IGNORED"}


async def test_updates_from_the_wrong_partner_are_refused_and_dead_lettered(dispatch, tokens):
    power_ticket = await _partner_ticket(dispatch, tokens, "power")
    gas_ticket = await _partner_ticket(dispatch, tokens, "gas")
    async with TopicTail("dlq.dispatch.v1") as dlq:
        # the update names gas but came on power's topic
        named_other = await _update(power_ticket, "RESOLVED", partner="gas", note="x")
        # power's topic and name, but the ticket is gas's
        foreign_ticket = await _update(gas_ticket, "RESOLVED", note="x")
        # A running stack's dispatch may dead-letter the same records too (the same refusal,
        # or "not found" for a ticket it does not know): wait for this service's two.
        expected = {power_ticket: b"names partner 'gas'",
                    gas_ticket: b"does not belong to partner power"}
        dead: dict[str, bytes] = {}
        while len(dead) < 2:
            for r in await dlq.collect_raw(
                    lambda r: r.key.decode() in expected and expected[r.key.decode()] in
                    dict(r.headers).get("x-error", b""), count=1, timeout_s=30):
                dead[r.key.decode()] = dict(r.headers)["x-error"]
    for event_id in (named_other, foreign_ticket):
        assert await consumed(dispatch, event_id) == "dead_lettered"
    assert set(dead) == {power_ticket, gas_ticket}
    for ticket_id in (power_ticket, gas_ticket):
        assert [r["status"] for r in await _history(dispatch, ticket_id)][-1] == "ROUTED"
