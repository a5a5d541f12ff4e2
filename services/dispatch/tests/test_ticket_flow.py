"""Tickets over GraphQL: routing to coordinators or the partner, the lifecycle, billing of
coordinator work, and authorisations that stop assignments at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dispatch_testkit import ACCEPT, CONFIRM, REOPEN, REPORT, RESOLVE, START, TICKET, report_input
from xiangzhi_shared.testing import error_codes


async def test_general_work_goes_to_the_village_coordinator_who_completes_it(dispatch, tokens):
    worker = tokens("grid_worker", region="QY.01.001", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch), worker)
    ticket = data["reportTicket"]
    coordinator = dispatch.coordinator_id("QY.01.001")
    assert ticket["status"] == "ROUTED" and ticket["route"] == "COORDINATOR"
    assert ticket["coordinator"]["id"] == coordinator
    assert ticket["regionCode"] == "QY.01.001.01"

    me = tokens("coordinator", region="QY.01.001", subject=coordinator)
    await dispatch.gql.ok(ACCEPT, {"id": ticket["id"]}, me)
    await dispatch.gql.ok(START, {"id": ticket["id"]}, me)
    done = await dispatch.gql.ok(RESOLVE, {"id": ticket["id"], "r": "入户宣传 12 户"}, me)
    assert done["resolveTicket"]["status"] == "RESOLVED"

    record = await dispatch.pool.fetchrow(
        "SELECT coordinator_id::text, partner_code, rate, amount FROM work_record "
        "WHERE ticket_id=$1::uuid", ticket["id"])
    assert dict(record) == {"coordinator_id": coordinator, "partner_code": "power",
                            "rate": Decimal("20.00"), "amount": Decimal("20.00")}
    confirmed = await dispatch.gql.ok(CONFIRM, {"id": ticket["id"]}, worker)
    assert confirmed["confirmTicket"]["status"] == "CONFIRMED"
    steps = (await dispatch.gql.ok(TICKET, {"id": ticket["id"]}, worker))["ticket"]["steps"]
    assert [s["change"] for s in steps] == ["reported", "routed", "accepted", "started",
                                           "resolved", "confirmed"]


async def test_professional_work_goes_to_the_partner(dispatch, tokens):
    worker = tokens("grid_worker", region="QY.01.001", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch, category="FAULT_REPAIR"), worker)
    assert data["reportTicket"]["route"] == "PARTNER"
    assert data["reportTicket"]["coordinator"] is None


async def test_village_with_only_expired_authorisations_escalates(dispatch, tokens):
    worker = tokens("grid_worker", region="QY.02.003", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch, village="QY.02.003",
                                                      category="METER_READING"), worker)
    assert data["reportTicket"]["route"] == "PARTNER"


async def test_revoking_an_authorisation_stops_new_assignments_at_once(dispatch, tokens):
    admin = tokens("township_admin", region="QY.01", subject=str(uuid.uuid4()))
    worker = tokens("grid_worker", region="QY.01.002", subject=str(uuid.uuid4()))
    first = await dispatch.gql.ok(REPORT, report_input(dispatch, partner="telecom",
                                                       village="QY.01.002"), worker)
    assert first["reportTicket"]["route"] == "COORDINATOR"
    auth_id = await dispatch.pool.fetchval(
        "SELECT id::text FROM authorisation WHERE coordinator_id=$1::uuid AND partner_code="
        "'telecom'", dispatch.coordinator_id("QY.01.002"))
    revoked = await dispatch.gql.ok(
        "mutation($id: ID!) { revokeAuthorisation(id: $id) { validNow revokedAt } }",
        {"id": auth_id}, admin)
    assert revoked["revokeAuthorisation"]["validNow"] is False
    second = await dispatch.gql.ok(REPORT, report_input(dispatch, partner="telecom",
                                                        village="QY.01.002"), worker)
    assert second["reportTicket"]["route"] == "PARTNER"
    # other utilities' authorisations of the same coordinator are untouched
    water = await dispatch.gql.ok(REPORT, report_input(dispatch, partner="water",
                                                       village="QY.01.002"), worker)
    assert water["reportTicket"]["route"] == "COORDINATOR"


async def test_coordinator_onboarding_selection_training_certificate_authorisation(dispatch,
                                                                                   tokens):
    admin = tokens("township_admin", region="QY.02", subject=str(uuid.uuid4()))
    person = str(uuid.uuid4())
    reg = """mutation($i: RegisterCoordinatorInput!) { registerCoordinator(input: $i) { id } }"""
    await dispatch.gql.ok(reg, {"i": {"personId": person, "villageId": dispatch.region_id(
        "QY.02.003"), "name": "新网协员", "background": "RESERVE_CADRE",
        "selectedOn": "2026-01-05"}}, admin)
    authorise = """mutation($i: AuthoriseInput!) { authoriseCoordinator(input: $i) { validNow } }"""
    expires = (datetime.now(UTC) + timedelta(days=90)).isoformat()
    a = {"i": {"coordinatorId": person, "partner": "broadcast", "scope": ["SIMPLE_CHECK"],
               "expiresAt": expires}}
    body = await dispatch.gql(authorise, a, admin)
    assert error_codes(body) == ["INVALID_STATE"]  # not certified yet
    cert = """mutation($id: ID!) { certifyCoordinator(coordinatorId: $id, number: "WX-NEW",
              issuedOn: "2026-01-20") { id } }"""
    assert error_codes(await dispatch.gql(cert, {"id": person}, admin)) == ["INVALID_STATE"]
    await dispatch.gql.ok("""mutation($id: ID!) { recordTraining(coordinatorId: $id,
        course: "镇企共训", completedOn: "2026-01-15", partner: "broadcast") { id } }""",
                          {"id": person}, admin)
    await dispatch.gql.ok(cert, {"id": person}, admin)
    assert (await dispatch.gql.ok(authorise, a, admin))["authoriseCoordinator"]["validNow"]
    # professional work is never in a coordinator's scope
    a["i"]["scope"] = ["FAULT_REPAIR"]
    assert error_codes(await dispatch.gql(authorise, a, admin)) == ["VALIDATION"]

    worker = tokens("grid_worker", region="QY.02.003", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch, partner="broadcast",
                                                      category="SIMPLE_CHECK",
                                                      village="QY.02.003"), worker)
    assert data["reportTicket"]["route"] == "COORDINATOR"
    assert data["reportTicket"]["coordinator"]["id"] == person


async def test_reopened_ticket_is_routed_again(dispatch, tokens):
    me = str(uuid.uuid4())
    resident = tokens("resident", region="QY.01.003.01", subject=me)
    data = await dispatch.gql.ok(REPORT, report_input(dispatch, village="QY.01.003",
                                                      partner="water",
                                                      category="SIMPLE_CHECK"), resident)
    tid = data["reportTicket"]["id"]
    coordinator = tokens("coordinator", region="QY.01.003",
                         subject=dispatch.coordinator_id("QY.01.003"))
    await dispatch.gql.ok(ACCEPT, {"id": tid}, coordinator)
    await dispatch.gql.ok(RESOLVE, {"id": tid, "r": "已检查"}, coordinator)
    again = await dispatch.gql.ok(REOPEN, {"id": tid, "r": "水还是浑"}, resident)
    assert again["reopenTicket"]["status"] == "ROUTED"
    # the task was billed once, however often it is resolved
    await dispatch.gql.ok(ACCEPT, {"id": tid}, coordinator)
    await dispatch.gql.ok(RESOLVE, {"id": tid, "r": "冲洗管道"}, coordinator)
    assert await dispatch.pool.fetchval("SELECT count(*) FROM work_record WHERE ticket_id="
                                        "$1::uuid", tid) == 1


async def test_overdue_detection_marks_and_announces_once(dispatch):
    from dispatch.tickets import mark_overdue

    future = datetime.now(UTC) + timedelta(days=30)
    marked = await mark_overdue(dispatch.pool, future)
    assert marked > 0
    assert await mark_overdue(dispatch.pool, future) == 0
