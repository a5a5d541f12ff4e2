"""Bad input gets a clear error with a stable code, never a 500, and writes nothing."""

from __future__ import annotations

import uuid

from dispatch_testkit import ACCEPT, CONFIRM, REPORT, RESOLVE, report_input
from xiangzhi_shared.testing import error_codes


async def _counts(dispatch):
    return await dispatch.pool.fetchrow(
        "SELECT (SELECT count(*) FROM ticket) AS tickets, (SELECT count(*) FROM ticket_step) "
        "AS steps, (SELECT count(*) FROM outbox) AS events, (SELECT count(*) FROM work_record) "
        "AS work")


async def test_bad_reports_are_refused_with_a_code_and_write_nothing(dispatch, tokens):
    token = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    before = await _counts(dispatch)
    cases = [
        (report_input(dispatch, title="长" * 201), "VALIDATION", "title"),
        (report_input(dispatch, title="   "), "VALIDATION", "title"),
        (report_input(dispatch, partner="railway"), "NOT_FOUND", "partner"),
        ({"input": {**report_input(dispatch)["input"], "villageId": str(uuid.uuid4())}},
         "NOT_FOUND", "villageId"),
        ({"input": {**report_input(dispatch)["input"], "villageId": "42; drop table ticket"}},
         "VALIDATION", "villageId"),
        ({"input": {**report_input(dispatch)["input"],
                    "gridId": dispatch.region_id("QY.02.001.01")}}, "VALIDATION", "gridId"),
        (report_input(dispatch, photoRefs=[f"p{i}.jpg" for i in range(10)]), "VALIDATION",
         "photoRefs"),
    ]
    for variables, code, field in cases:
        body = await dispatch.gql(REPORT, variables, token)
        assert error_codes(body) == [code], (field, body)
        assert body["errors"][0]["extensions"].get("field") == field
    body = await dispatch.gql(REPORT, report_input(dispatch, category="VOLCANO"), token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await _counts(dispatch) == before


async def test_bad_transitions_are_invalid_state_and_write_nothing(dispatch, tokens):
    worker = tokens("grid_worker", region="QY.01.001", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch), worker)
    tid = data["reportTicket"]["id"]
    me = tokens("coordinator", region="QY.01.001", subject=dispatch.coordinator_id("QY.01.001"))
    before = await _counts(dispatch)
    assert error_codes(await dispatch.gql(RESOLVE, {"id": tid, "r": "done"}, me)) == \
        ["INVALID_STATE"]
    assert error_codes(await dispatch.gql(CONFIRM, {"id": tid}, worker)) == ["INVALID_STATE"]
    await dispatch.gql.ok(ACCEPT, {"id": tid}, me)
    mid = await _counts(dispatch)
    assert error_codes(await dispatch.gql(RESOLVE, {"id": tid, "r": "  "}, me)) == ["VALIDATION"]
    assert await _counts(dispatch) == mid
    assert mid["steps"] == before["steps"] + 1


async def test_unknown_and_malformed_ids(dispatch, tokens):
    token = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    body = await dispatch.gql("query($id: ID!) { ticket(id: $id) { id } }",
                              {"id": str(uuid.uuid4())}, token)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await dispatch.gql("query { ticket(id: \"nope\") { id } }", token=token)
    assert error_codes(body) == ["VALIDATION"]


async def test_bad_money_is_refused(dispatch, tokens):
    county = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    doc = """mutation($a: Decimal!) { recordAdjustment(partner: "power", amount: $a,
             reason: "更正") { id } }"""
    for amount in ("1.234", "NaN", "0", "abc"):
        body = await dispatch.gql(doc, {"a": amount}, county)
        assert error_codes(body) in (["VALIDATION"], ["BAD_USER_INPUT"]), (amount, body)
    assert await dispatch.pool.fetchval("SELECT count(*) FROM adjustment") == 0
