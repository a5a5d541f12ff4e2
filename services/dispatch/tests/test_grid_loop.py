"""The whole loop across the two services, through Kafka only: a grid matter about the power
network is accepted in grid → dispatch makes it a ticket and routes it → the village
coordinator resolves it in dispatch → grid records the resolution as the matter's handling
record. The two apps share nothing but the broker (this test imports grid's app only to
run it; the services never import each other)."""

from __future__ import annotations

import asyncio
import secrets
import uuid

import pytest_asyncio
from dispatch_testkit import ACCEPT, RESOLVE, START
from xiangzhi_shared.demo import region_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, fresh_database, served, start_groups_at_end


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def grid_app(tokens):
    from grid.app import make_spec
    from grid.seed import seed
    from grid.settings import GridSettings

    async with fresh_database("gridloop") as dsn:
        name = f"grid-loop-{secrets.token_hex(4)}"
        await start_groups_at_end(f"{name}.ticket-feedback", ["dispatch.ticket.v1"])
        settings = GridSettings(database_url=dsn, jwks_file=tokens.jwks_file, service_name=name,
                                escalation_interval_s=3600)
        app = create_app(make_spec(settings))
        async with served(app) as url:
            await seed(app.state.runtime.pool)
            gql = GraphQLClient(url)
            try:
                yield gql
            finally:
                await gql.close()


async def test_matter_to_ticket_to_resolution_to_matter_through_kafka(grid_app, dispatch, tokens):
    worker = tokens("grid_worker", region="QY.01.001", subject=str(uuid.uuid4()))
    data = await grid_app.ok(
        """mutation($i: ReportMatterInput!) { reportMatter(input: $i) { id } }""",
        {"i": {"title": "村口路灯线路断了", "category": "UTILITY_POWER", "location": "村口",
               "regionId": str(region_id("QY.01.001.01"))}}, worker)
    matter_id = data["reportMatter"]["id"]
    await grid_app.ok("mutation($id: ID!) { acceptMatter(id: $id) { status } }",
                      {"id": matter_id}, worker)

    ticket_id = await dispatch.wait_for(
        "SELECT id::text FROM ticket WHERE matter_id=$1::uuid", matter_id, timeout_s=30)
    coordinator = dispatch.coordinator_id("QY.01.001")
    ticket = await dispatch.pool.fetchrow(
        "SELECT partner_code, route, coordinator_id::text FROM ticket WHERE id=$1::uuid",
        ticket_id)
    assert tuple(ticket) == ("power", "COORDINATOR", coordinator)

    # dispatch's Matter extension shows the ticket to grid's staff
    body = await dispatch.gql.ok(
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Matter { tickets { id status } } } }""",
        {"r": [{"__typename": "Matter", "id": matter_id}]}, worker)
    assert body["_entities"][0]["tickets"] == [{"id": ticket_id, "status": "ROUTED"}]

    me = tokens("coordinator", region="QY.01.001", subject=coordinator)
    await dispatch.gql.ok(ACCEPT, {"id": ticket_id}, me)
    await dispatch.gql.ok(START, {"id": ticket_id}, me)
    await dispatch.gql.ok(RESOLVE, {"id": ticket_id, "r": "接好断线，路灯恢复"}, me)

    query = "query($id: ID!) { matter(id: $id) { status handlingRecord assigneeId } }"
    async with asyncio.timeout(30):
        while True:
            matter = (await grid_app.ok(query, {"id": matter_id}, worker))["matter"]
            if matter["status"] != "ACCEPTED":
                break
            await asyncio.sleep(0.2)
    assert matter["status"] == "HANDLED"
    assert matter["handlingRecord"].startswith("接好断线，路灯恢复")
    assert matter["assigneeId"] == coordinator
