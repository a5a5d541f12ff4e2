"""The authorization matrix over GraphQL: resident, coordinator, utility staff of partner A
(power) and of partner B (gas), township admins of two townships."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from dispatch_testkit import ACCEPT, CONFIRM, REPORT, TICKETS, report_input
from xiangzhi_shared.testing import error_codes

TICKET = "query($id: ID!) { ticket(id: $id) { id } }"
RESIDENT = str(uuid.uuid4())


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(dispatch, tokens):
    """T1 power fault reported by a resident of QY.01.001 (to the partner); T2 gas general work
    in QY.01.001 (to its coordinator); T3 power general work in QY.02.001."""
    resident = tokens("resident", region="QY.01.001.01", subject=RESIDENT)
    t1 = await dispatch.gql.ok(REPORT, report_input(dispatch, category="FAULT_REPAIR"), resident)
    worker = tokens("grid_worker", region="QY", subject=str(uuid.uuid4()))
    t2 = await dispatch.gql.ok(REPORT, report_input(dispatch, partner="gas"), worker)
    t3 = await dispatch.gql.ok(REPORT, report_input(dispatch, village="QY.02.001"), worker)
    ids = [t["reportTicket"]["id"] for t in (t1, t2, t3)]
    assert [t["reportTicket"]["route"] for t in (t1, t2, t3)] == ["PARTNER", "COORDINATOR",
                                                                   "COORDINATOR"]
    return dict(zip(("T1", "T2", "T3"), ids, strict=True))


def callers(tokens, dispatch):
    return {
        "resident": tokens("resident", region="QY.01.001.01", subject=RESIDENT),
        "neighbour": tokens("resident", region="QY.01.001.01", subject=str(uuid.uuid4())),
        "coordinator": tokens("coordinator", region="QY.01.001",
                              subject=dispatch.coordinator_id("QY.01.001")),
        "power_staff": tokens("utility_staff", partner="power", subject=str(uuid.uuid4())),
        "gas_staff": tokens("utility_staff", partner="gas", subject=str(uuid.uuid4())),
        "east_admin": tokens("township_admin", region="QY.01", subject=str(uuid.uuid4())),
        "west_admin": tokens("township_admin", region="QY.02", subject=str(uuid.uuid4())),
    }


READS = {  # caller → which tickets it may read
    "resident": {"T1"},
    "neighbour": set(),
    "coordinator": {"T2"},
    "power_staff": {"T1", "T3"},
    "gas_staff": {"T2"},
    "east_admin": {"T1", "T2"},
    "west_admin": {"T3"},
}


@pytest.mark.parametrize("caller", sorted(READS))
async def test_each_caller_reads_exactly_its_tickets(dispatch, tokens, world, caller):
    token = callers(tokens, dispatch)[caller]
    for name, ticket_id in world.items():
        body = await dispatch.gql(TICKET, {"id": ticket_id}, token)
        if name in READS[caller]:
            assert body["data"]["ticket"]["id"] == ticket_id, (caller, name)
        else:
            assert error_codes(body) == ["FORBIDDEN"], (caller, name)
    listed = await dispatch.gql.ok(TICKETS, {"f": None}, token)
    seen = {n["id"] for n in listed["tickets"]["nodes"]} & set(world.values())
    assert seen == {world[n] for n in READS[caller]}


async def test_list_is_limited_to_the_callers_partner_or_reports(dispatch, tokens, world):
    c = callers(tokens, dispatch)
    power = await dispatch.gql.ok(TICKETS, {"f": None}, c["power_staff"])
    assert {n["partner"] for n in power["tickets"]["nodes"]} == {"power"}
    mine = await dispatch.gql.ok(TICKETS, {"f": None}, c["resident"])
    assert [n["id"] for n in mine["tickets"]["nodes"]] == [world["T1"]]
    west = await dispatch.gql(TICKETS, {"f": {"regionCode": "QY.01"}}, c["west_admin"])
    assert error_codes(west) == ["FORBIDDEN"]


async def test_only_whoever_it_is_routed_to_works_a_ticket(dispatch, tokens, world):
    c = callers(tokens, dispatch)
    for caller, ticket in [("gas_staff", "T1"), ("coordinator", "T1"), ("power_staff", "T2"),
                           ("east_admin", "T2"), ("resident", "T1")]:
        body = await dispatch.gql(ACCEPT, {"id": world[ticket]}, c[caller])
        assert error_codes(body) == ["FORBIDDEN"], (caller, ticket)
    assert await dispatch.pool.fetchval("SELECT status FROM ticket WHERE id=$1::uuid",
                                        world["T1"]) == "ROUTED"
    ok = await dispatch.gql.ok(ACCEPT, {"id": world["T1"]}, c["power_staff"])
    assert ok["acceptTicket"]["status"] == "ACCEPTED"


async def test_reporting_outside_ones_scope_is_refused(dispatch, tokens):
    c = callers(tokens, dispatch)
    before = await dispatch.pool.fetchval("SELECT count(*) FROM ticket")
    cases = [("resident", "QY.02.001"), ("coordinator", "QY.02.001"), ("power_staff", "QY.01.001"),
             ("west_admin", "QY.01.001")]
    for caller, village in cases:
        body = await dispatch.gql(REPORT, report_input(dispatch, village=village), c[caller])
        assert error_codes(body) == ["FORBIDDEN"], caller
    assert await dispatch.pool.fetchval("SELECT count(*) FROM ticket") == before


async def test_confirming_is_the_reporters_call(dispatch, tokens, world):
    c = callers(tokens, dispatch)
    body = await dispatch.gql(CONFIRM, {"id": world["T2"]}, c["neighbour"])
    assert error_codes(body) == ["FORBIDDEN"]


async def test_statements_and_agreements_belong_to_the_county_and_the_partner(dispatch, tokens):
    c = callers(tokens, dispatch)
    q = "query($p: String!) { statements(partner: $p) { id } }"
    assert error_codes(await dispatch.gql(q, {"p": "power"}, c["gas_staff"])) == ["FORBIDDEN"]
    assert error_codes(await dispatch.gql(q, {"p": "power"}, c["resident"])) == ["FORBIDDEN"]
    await dispatch.gql.ok(q, {"p": "power"}, c["power_staff"])
    agreements = "{ partners { code agreements { title } } }"
    body = await dispatch.gql(agreements, token=c["gas_staff"])
    assert "FORBIDDEN" in error_codes(body)
    county = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(agreements, token=county)
    assert len(data["partners"]) == 7 and all(p["agreements"] for p in data["partners"])


async def test_anonymous_and_partnerless_staff_are_refused(dispatch, tokens, world):
    assert error_codes(await dispatch.gql(TICKETS, {"f": None})) == ["UNAUTHENTICATED"]
    partnerless = tokens("utility_staff", subject=str(uuid.uuid4()))
    assert error_codes(await dispatch.gql(TICKETS, {"f": None}, partnerless)) == ["FORBIDDEN"]
    assert error_codes(await dispatch.gql(TICKET, {"id": world["T1"]}, partnerless)) == \
        ["FORBIDDEN"]
