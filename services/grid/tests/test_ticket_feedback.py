"""A resolved dispatch ticket moves its matter on: consumed from dispatch.ticket.v1, applied
through grid's own rules (assign, then handle with the ticket's resolution as the record),
once, however often the event is delivered."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from grid.app import make_spec
from grid.seed import seed, sid
from grid.settings import GridSettings
from xiangzhi.dispatch.v1.tickets_pb2 import TicketEvent
from xiangzhi_shared import envelope
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import KAFKA, GraphQLClient, fresh_database, served, topic_partitions

REPORT = """mutation($input: ReportMatterInput!) { reportMatter(input: $input) { id } }"""
ACCEPT = "mutation($id: ID!) { acceptMatter(id: $id) { status } }"
ASSIGN = "mutation($id: ID!) { assignMatter(id: $id, assigneeId: \"worker-1\") { status } }"
MATTER = "query($id: ID!) { matter(id: $id) { status assigneeId handlingRecord steps { change actor } } }"


async def _group_at_end(group_id: str, topic: str) -> None:
    """This module's consumer group starts at the topic's current end: no history replayed."""
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=group_id,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await topic_partitions(consumer, topic)]
        consumer.assign(tps)
        await consumer.commit(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def feedback_grid(tokens) -> AsyncIterator[tuple[GraphQLClient, object]]:
    async with fresh_database("gridfb") as dsn:
        name = f"grid-test-{secrets.token_hex(4)}"
        await _group_at_end(f"{name}.ticket-feedback", "dispatch.ticket.v1")
        settings = GridSettings(database_url=dsn, jwks_file=tokens.jwks_file, service_name=name,
                                escalation_interval_s=3600)
        app = create_app(make_spec(settings))
        async with served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            gql = GraphQLClient(url)
            try:
                yield gql, pool
            finally:
                await gql.close()


async def _resolved(matter_id: str, *, change: str = "resolved", event_id: str | None = None,
                    resolution: str = "更换熔断器，已恢复供电") -> str:
    ticket_id = str(uuid.uuid4())
    msg = TicketEvent(ticket_id=ticket_id, change=change, status=change.upper(), partner="power",
                      category="SIMPLE_CHECK", route="COORDINATOR",
                      coordinator_id="coordinator-7", matter_id=matter_id,
                      resolution=resolution if change == "resolved" else "")
    event_id = event_id or str(uuid.uuid4())
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA)
    await producer.start()
    try:
        headers = envelope.headers_for(event_id, f"xiangzhi.dispatch.ticket.{change}",
                                       "/xiangzhi/dispatch", datetime.now(UTC),
                                       msg.DESCRIPTOR.full_name, None)
        await producer.send_and_wait("dispatch.ticket.v1", msg.SerializeToString(),
                                     key=ticket_id.encode(), headers=headers)
    finally:
        await producer.stop()
    return event_id


async def _matter(gql, tokens, step: str | None) -> str:
    token = tokens("grid_worker", region="QY.01.001")
    data = await gql.ok(REPORT, {"input": {"title": "电杆倾斜", "category": "UTILITY_POWER",
                                           "regionId": str(sid("region", "QY.01.001.01"))}},
                        token)
    matter_id = data["reportMatter"]["id"]
    await gql.ok(ACCEPT, {"id": matter_id}, token)
    if step == "assigned":
        await gql.ok(ASSIGN, {"id": matter_id}, token)
    return matter_id


async def _applied(pool, event_id: str) -> None:
    async with asyncio.timeout(20):
        while True:  # the consumer commits in its own transaction; poll for its inbox row
            if await pool.fetchval("SELECT 1 FROM inbox WHERE event_id=$1", event_id):
                return
            await asyncio.sleep(0.1)


async def test_resolution_becomes_the_handling_record_of_an_accepted_matter(feedback_grid,
                                                                           tokens):
    gql, pool = feedback_grid
    matter_id = await _matter(gql, tokens, None)
    event_id = await _resolved(matter_id)
    await _applied(pool, event_id)
    token = tokens("grid_worker", region="QY.01.001")
    m = (await gql.ok(MATTER, {"id": matter_id}, token))["matter"]
    assert m["status"] == "HANDLED"
    assert m["assigneeId"] == "coordinator-7"
    assert m["handlingRecord"].startswith("更换熔断器，已恢复供电")
    assert [(s["change"], s["actor"]) for s in m["steps"]][-2:] == [("assigned", "dispatch"),
                                                                    ("handled", "dispatch")]

    # redelivered (same ce_id) and re-published (new ce_id): nothing changes
    await _resolved(matter_id, event_id=event_id)
    again = await _resolved(matter_id, resolution="另一个结果")
    await _applied(pool, again)
    await asyncio.sleep(0.5)
    m2 = (await gql.ok(MATTER, {"id": matter_id}, token))["matter"]
    assert m2 == m


async def test_an_assigned_matter_is_handled_directly(feedback_grid, tokens):
    gql, pool = feedback_grid
    matter_id = await _matter(gql, tokens, "assigned")
    await _applied(pool, await _resolved(matter_id))
    m = (await gql.ok(MATTER, {"id": matter_id}, tokens("county_admin", region="QY")))["matter"]
    assert m["status"] == "HANDLED" and m["assigneeId"] == "worker-1"


async def test_other_ticket_changes_and_unknown_matters_change_nothing(feedback_grid, tokens):
    gql, pool = feedback_grid
    matter_id = await _matter(gql, tokens, None)
    routed = await _resolved(matter_id, change="routed")
    unknown = await _resolved(str(uuid.uuid4()))
    await _applied(pool, routed)
    await _applied(pool, unknown)
    statuses = await pool.fetch("SELECT status FROM inbox WHERE event_id = ANY($1)",
                                [routed, unknown])
    assert [r["status"] for r in statuses] == ["applied", "applied"]  # not dead-lettered
    m = (await gql.ok(MATTER, {"id": matter_id}, tokens("county_admin", region="QY")))["matter"]
    assert m["status"] == "ACCEPTED"
