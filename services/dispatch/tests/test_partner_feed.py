"""End to end on the real broker: a ticket reported over GraphQL reaches exactly its
partner's feed, read with that partner's own SCRAM credentials, decodable, carrying the
request's trace; the partner's update moves the ticket; the broker refuses the partner
anything outside its own feed and updates topic."""

from __future__ import annotations

import asyncio
import secrets
import uuid

import pytest
from aiokafka.errors import TopicAuthorizationFailedError
from dispatch_testkit import REPORT, TICKET, partner_kafka, produce, report_input
from google.protobuf.timestamp_pb2 import Timestamp
from xiangzhi.dispatch.v1.partner_feed_pb2 import PartnerTicket, PartnerTicketUpdate
from xiangzhi_shared.testing import TopicTail, trace_id_of
from xiangzhi_shared.topics import load_catalogue


def traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


async def test_professional_ticket_reaches_only_its_partners_feed_and_its_update_moves_it(
        dispatch, tokens):
    power = partner_kafka("power")
    others = [f"partner.{c}.tickets.v1" for c in load_catalogue().partners if c != "power"]
    worker = tokens("grid_worker", region="QY.01.002", subject=str(uuid.uuid4()))
    trace_id, tp = traceparent()
    async with TopicTail("partner.power.tickets.v1", group_id=f"power.e2e-{uuid.uuid4().hex[:8]}",
                        **power) as feed, TopicTail(*others) as elsewhere:
        data = await dispatch.gql.ok(REPORT, report_input(
            dispatch, village="QY.01.002", category="FAULT_REPAIR", title="10kV 线路跳闸",
            location="二组桥头第三根电杆", photoRefs=["s3://demo/pole-3.jpg"]), worker,
            {"traceparent": tp})
        ticket_id = data["reportTicket"]["id"]
        [routed] = await feed.collect(lambda e: e.key == ticket_id, count=1, settle_s=1.0)
        await feed.commit()  # the partner's own consumer group may commit (group ACL)
        assert await elsewhere.collect(lambda e: e.key == ticket_id, count=0, settle_s=1.5) == []

        assert routed.type == "xiangzhi.dispatch.partner_ticket.routed"
        assert routed.source == "/xiangzhi/dispatch"
        assert trace_id_of(routed.traceparent) == trace_id
        msg = routed.message
        assert isinstance(msg, PartnerTicket)
        assert (msg.ticket_id, msg.partner, msg.status, msg.route, msg.category) == (
            ticket_id, "power", "ROUTED", "PARTNER", "FAULT_REPAIR")
        assert msg.village_code == "QY.01.002" and msg.village_name == "柳溪村"
        assert msg.location == "二组桥头第三根电杆"
        assert list(msg.photo_refs) == ["s3://demo/pole-3.jpg"]

        # The partner reports back on its own updates topic, with its own credentials.
        when = Timestamp()
        when.GetCurrentTime()
        update = PartnerTicketUpdate(ticket_id=ticket_id, partner="power", status="RESOLVED",
                                     note="更换跌落式熔断器，已恢复供电", specialist="抢修班 张工",
                                     occurred_at=when)
        await produce("partner.power.updates.v1", update, ticket_id,
                      ce_type="xiangzhi.partner.ticket_update", source="/partner/power",
                      **power)
        resolved = await feed.collect(lambda e: e.key == ticket_id, count=2, timeout_s=30)
    assert [e.message.status for e in resolved] == ["ACCEPTED", "RESOLVED"]

    token = tokens("utility_staff", partner="power", subject=str(uuid.uuid4()))
    ticket = (await dispatch.gql.ok(TICKET, {"id": ticket_id}, token))["ticket"]
    assert ticket["status"] == "RESOLVED"
    assert ticket["resolution"] == "更换跌落式熔断器，已恢复供电"
    assert [s["actor"] for s in ticket["steps"][-2:]] == ["partner:power/抢修班 张工"] * 2
    assert ticket["partnerUpdates"] == [{"status": "RESOLVED", "outcome": "APPLIED",
                                         "detail": None}]


async def test_partner_credentials_open_nothing_of_another_partner(dispatch, tokens):
    # a real gas ticket on gas's feed, which power must not read
    worker = tokens("grid_worker", region="QY.01.001", subject=str(uuid.uuid4()))
    await dispatch.gql.ok(REPORT, report_input(dispatch, partner="gas",
                                               category="LINE_MAINTENANCE"), worker)
    power = partner_kafka("power")
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer("partner.gas.tickets.v1", **power,
                                group_id=f"power.snoop-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest")
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getone(), 20)
    finally:
        await consumer.stop()

    forged = PartnerTicketUpdate(ticket_id=str(uuid.uuid4()), partner="gas", status="RESOLVED",
                                 note="forged")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce("partner.gas.updates.v1", forged, forged.ticket_id,
                      ce_type="xiangzhi.partner.ticket_update", **power)
