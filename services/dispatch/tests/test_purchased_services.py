"""Purchased services 购买服务: every task a coordinator completes is a billable work record;
a monthly statement per partner reconciles exactly and never changes once issued — in the
domain and in the database; corrections land on the next statement. Joint meetings 联席会议
track action items linked to tickets."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from dispatch import purchased
from dispatch_testkit import ACCEPT, REPORT, RESOLVE, report_input
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import InvalidState
from xiangzhi_shared.testing import error_codes

COUNTY = Principal(subject="county", roles=frozenset({"county_admin"}), region="QY")
STATEMENT = """{ id status workTotal adjustmentTotal total recordCount
                 workRecords { amount } adjustments { amount } }"""


async def _coordinator_task(dispatch, tokens, category: str, partner: str = "post") -> str:
    worker = tokens("grid_worker", region="QY.02.002", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(REPORT, report_input(dispatch, partner=partner,
                                                      category=category, village="QY.02.002"),
                                 worker)
    tid = data["reportTicket"]["id"]
    me = tokens("coordinator", region="QY.02.002", subject=dispatch.coordinator_id("QY.02.002"))
    await dispatch.gql.ok(ACCEPT, {"id": tid}, me)
    await dispatch.gql.ok(RESOLVE, {"id": tid, "r": "办结"}, me)
    return tid


async def test_monthly_statement_reconciles_and_is_final_once_issued(dispatch, tokens):
    for category in ("SERVICE_AGENCY", "METER_READING", "METER_READING", "SIMPLE_CHECK"):
        await _coordinator_task(dispatch, tokens, category)
    county = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    period = datetime.now(UTC).date().replace(day=1).isoformat()
    data = await dispatch.gql.ok(
        f"mutation($p: Date!) {{ prepareStatement(partner: \"post\", period: $p) {STATEMENT} }}",
        {"p": period}, county)
    s = data["prepareStatement"]
    # the seed's resolved post task (12.00) + 12.00 + 1.80 + 1.80 + 25.50
    assert s["status"] == "DRAFT" and s["recordCount"] == 5
    assert Decimal(s["workTotal"]) == Decimal("53.10") == sum(
        Decimal(r["amount"]) for r in s["workRecords"])
    assert Decimal(s["total"]) == Decimal(s["workTotal"]) + Decimal(s["adjustmentTotal"])

    issued = await dispatch.gql.ok(
        f"mutation($id: ID!) {{ issueStatement(id: $id) {STATEMENT} }}", {"id": s["id"]}, county)
    assert issued["issueStatement"]["status"] == "ISSUED"
    assert issued["issueStatement"]["total"] == s["total"]

    # the domain refuses to touch it...
    again = await dispatch.gql(
        "mutation($p: Date!) { prepareStatement(partner: \"post\", period: $p) { id } }",
        {"p": period}, county)
    assert error_codes(again) == ["INVALID_STATE"]
    assert error_codes(await dispatch.gql("mutation($id: ID!) { issueStatement(id: $id) "
                                          "{ id } }", {"id": s["id"]}, county)) == \
        ["INVALID_STATE"]
    # ...and so does the database, whatever SQL tries
    sid = uuid.UUID(s["id"])
    for sql in ("UPDATE statement SET total = total + 1, work_total = work_total + 1 "
                "WHERE id=$1", "DELETE FROM statement WHERE id=$1",
                "UPDATE work_record SET amount = 0 WHERE statement_id=$1",
                "UPDATE work_record SET statement_id = NULL WHERE statement_id=$1"):
        with pytest.raises(asyncpg.IntegrityConstraintViolationError):
            await dispatch.pool.execute(sql, sid)
    row = await dispatch.pool.fetchrow("SELECT total, status FROM statement WHERE id=$1", sid)
    assert (str(row["total"]), row["status"]) == (s["total"], "ISSUED")

    # a correction found later is an adjustment, carried on the next month's statement
    record = await dispatch.pool.fetchval(
        "SELECT id FROM work_record WHERE statement_id=$1 AND category='SIMPLE_CHECK'", sid)
    adj = await dispatch.gql.ok(
        """mutation($w: ID!) { recordAdjustment(partner: "post", amount: "-5.50",
             reason: "巡查单价更正", workRecordId: $w) { amount } }""", {"w": str(record)}, county)
    assert adj["recordAdjustment"]["amount"] == "-5.50"
    next_month = datetime.now(UTC).replace(day=1) + timedelta(days=32)
    following = await purchased.prepare_statement(
        dispatch.pool, COUNTY, "post", next_month.date().replace(day=1),
        clock=lambda: next_month)
    assert following["adjustment_total"] == Decimal("-5.50")
    assert following["total"] == following["work_total"] + Decimal("-5.50")
    with pytest.raises(InvalidState):
        await purchased.prepare_statement(dispatch.pool, COUNTY, "post",
                                          date.fromisoformat(period))


async def test_partner_staff_see_their_statements_and_unbilled_work(dispatch, tokens):
    await _coordinator_task(dispatch, tokens, "ORDER_KEEPING", partner="mobile")
    staff = tokens("utility_staff", partner="mobile", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok('{ unbilledWork(partner: "mobile") { amount category } }',
                                 token=staff)
    assert {"amount": "30.00", "category": "ORDER_KEEPING"} in data["unbilledWork"]


async def test_joint_meeting_tracks_action_items_linked_to_tickets(dispatch, tokens):
    tid = await _coordinator_task(dispatch, tokens, "SIMPLE_CHECK", partner="water")
    admin = tokens("township_admin", region="QY.02", subject=str(uuid.uuid4()))
    data = await dispatch.gql.ok(
        """mutation($i: HoldMeetingInput!) { holdMeeting(input: $i) { id partners
             actionItems { id status ticket { id } } } }""",
        {"i": {"regionCode": "QY.02", "title": "三季度村网共建联席会议", "heldOn": "2026-09-10",
               "partners": ["water", "power"], "actionItems": [
                   {"description": "复查松坡村水压", "owner": "水务公司", "ticketId": tid},
                   {"description": "汛期线路巡查", "owner": "供电公司"}]}}, admin)
    meeting = data["holdMeeting"]
    assert meeting["partners"] == ["power", "water"]
    linked = [i for i in meeting["actionItems"] if i["ticket"]]
    assert [i["ticket"]["id"] for i in linked] == [tid]
    done = await dispatch.gql.ok(
        "mutation($id: ID!) { completeActionItem(id: $id) { actionItems { status } } }",
        {"id": linked[0]["id"]}, admin)
    assert sorted(i["status"] for i in done["completeActionItem"]["actionItems"]) == \
        ["DONE", "OPEN"]
    water = tokens("utility_staff", partner="water", subject=str(uuid.uuid4()))
    seen = await dispatch.gql.ok("{ meetings { title } }", token=water)
    assert [m["title"] for m in seen["meetings"]] == ["三季度村网共建联席会议"]
    gas = tokens("utility_staff", partner="gas", subject=str(uuid.uuid4()))
    assert (await dispatch.gql.ok("{ meetings { title } }", token=gas))["meetings"] == []
    other = tokens("township_admin", region="QY.01", subject=str(uuid.uuid4()))
    body = await dispatch.gql(
        """mutation($i: HoldMeetingInput!) { holdMeeting(input: $i) { id } }""",
        {"i": {"regionCode": "QY.02", "title": "x", "heldOn": "2026-09-10"}}, other)
    assert error_codes(body) == ["FORBIDDEN"]
