"""Distribution runs: created with exact allocations, reviewed by a second person, posted
once; the same run submitted twice allocates once; a posted run cannot be edited; a
correction is a reversing run. Proxy-held shares pay their beneficial owner."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from shares.seed import HOST, collective_id, members_of
from xiangzhi.shares.v1.events_pb2 import DistributionRunChanged
from xiangzhi_shared.testing import TopicTail, error_codes

from .helpers import company_with_holders

CREATE = """mutation($i: CreateRunInput!) { createDistributionRun(input: $i) {
    id status declaredAmount lineCount allocatedTotal } }"""
REVIEW = "mutation($id: ID!) { reviewDistributionRun(id: $id) { id status reviewedBy } }"
POST = "mutation($id: ID!) { postDistributionRun(id: $id) { id status postedAt } }"
REVISE = """mutation($id: ID!, $a: String!) { reviseDistributionRun(id: $id, declaredAmount: $a)
    { id declaredAmount } }"""
REVERSE = """mutation($id: ID!) { reverseDistributionRun(id: $id, reason: "金额录入错误")
    { id kind status reversesRunId } }"""


def admins(tokens):
    return (tokens("county_admin", region="QY", subject="county-a"),
            tokens("county_admin", region="QY", subject="county-b"))


async def _balances(pool):
    return {(str(r[0]), str(r[1])): r[2] for r in await pool.fetch(
        "SELECT party_id, held_by_party_id, balance_fen FROM account_balance")}


async def test_same_run_twice_allocates_once_and_posts_once(shares, tokens):
    maker, checker = admins(tokens)
    reg, holders = await company_with_holders(shares.pool, 3, shares=1)
    run_input = {"registerId": reg, "declaredAmount": "100.00", "period": "2025",
                 "idempotencyKey": "year-end-2025"}
    first = (await shares.gql.ok(CREATE, {"i": run_input}, maker))["createDistributionRun"]
    again = (await shares.gql.ok(CREATE, {"i": run_input}, maker))["createDistributionRun"]
    assert again["id"] == first["id"]
    assert first["lineCount"] == 3 and first["allocatedTotal"] == "100.00"
    assert await shares.pool.fetchval("SELECT count(*) FROM distribution_run WHERE register_id=$1",
                                      uuid.UUID(reg)) == 1
    # the same key with other amounts is a conflict, not a second run
    body = await shares.gql(CREATE, {"i": {**run_input, "declaredAmount": "101.00"}}, maker)
    assert error_codes(body) == ["CONFLICT"]

    assert error_codes(await shares.gql(POST, {"id": first["id"]}, maker)) == ["INVALID_STATE"]
    assert error_codes(await shares.gql(REVIEW, {"id": first["id"]}, maker)) == ["INVALID_STATE"]
    before = await _balances(shares.pool)
    # The tail opens before the review, so the review's own event cannot arrive after it
    # opened and be mistaken for a second "posted" one.
    async with TopicTail("shares.distribution.v1") as tail:
        await shares.gql.ok(REVIEW, {"id": first["id"]}, checker)
        await shares.gql.ok(POST, {"id": first["id"]}, maker)
        assert error_codes(await shares.gql(POST, {"id": first["id"]}, maker)) == ["INVALID_STATE"]
        events = await tail.collect(lambda e: e.message.run_id == first["id"], 2, settle_s=1.0)
    after = await _balances(shares.pool)
    credited = {h: after.get((h, h), 0) - before.get((h, h), 0) for h in holders}
    assert sorted(credited.values()) == [3333, 3333, 3334]
    assert [e.type for e in events] == ["xiangzhi.shares.distribution.reviewed",
                                        "xiangzhi.shares.distribution.posted"]
    assert isinstance(events[1].message, DistributionRunChanged)
    assert events[1].message.declared_amount == "100.00" and events[1].message.line_count == 3
    assert await shares.reconciles()


async def test_posted_run_cannot_be_edited_and_is_corrected_by_reversal(shares, tokens):
    maker, checker = admins(tokens)
    reg, holders = await company_with_holders(shares.pool, 2, shares=3)
    run = (await shares.gql.ok(CREATE, {"i": {"registerId": reg, "declaredAmount": "10.00",
                                               "period": "2025", "idempotencyKey": "k"}},
                               maker))["createDistributionRun"]
    revised = await shares.gql.ok(REVISE, {"id": run["id"], "a": "12.00"}, maker)
    assert revised["reviseDistributionRun"]["declaredAmount"] == "12.00"  # a draft may change
    await shares.gql.ok(REVIEW, {"id": run["id"]}, checker)
    assert error_codes(await shares.gql(REVISE, {"id": run["id"], "a": "13.00"}, maker)) == \
        ["INVALID_STATE"]
    await shares.gql.ok(POST, {"id": run["id"]}, maker)
    body = await shares.gql(REVISE, {"id": run["id"], "a": "14.00"}, maker)
    assert error_codes(body) == ["INVALID_STATE"]
    # the database refuses too, whoever asks
    rid = uuid.UUID(run["id"])
    with pytest.raises(asyncpg.CheckViolationError):
        await shares.pool.execute("UPDATE distribution_run SET declared_fen = 1 WHERE id=$1", rid)
    with pytest.raises(asyncpg.CheckViolationError):
        await shares.pool.execute("UPDATE distribution_line SET amount_fen = 0 WHERE run_id=$1", rid)
    with pytest.raises(asyncpg.CheckViolationError):
        await shares.pool.execute("DELETE FROM account_entry WHERE run_id=$1", rid)
    assert await shares.pool.fetchval("SELECT declared_fen FROM distribution_run WHERE id=$1",
                                      rid) == 1200

    before = await _balances(shares.pool)
    reversal = (await shares.gql.ok(REVERSE, {"id": run["id"]}, checker))["reverseDistributionRun"]
    assert reversal["kind"] == "REVERSAL" and reversal["status"] == "POSTED"
    assert reversal["reversesRunId"] == run["id"]
    after = await _balances(shares.pool)
    assert sum(after.get((h, h), 0) - before.get((h, h), 0) for h in holders) == -1200
    assert error_codes(await shares.gql(REVERSE, {"id": run["id"]}, checker)) == ["INVALID_STATE"]
    assert await shares.reconciles()


async def test_proxy_held_dividends_reach_the_beneficial_owner_held_by_the_nominee(shares, tokens):
    """The demo project's posted run: the SOE holds for social capital, the collective for a
    member who has not joined; each owner's account is credited, held by the nominee."""
    from shares.seed import org_id

    not_joined = members_of(HOST)[-1][0]
    lines = await shares.pool.fetch(
        """SELECT l.holder_party_id::text h, l.beneficial_party_id::text b, l.amount_fen
           FROM distribution_line l JOIN distribution_run r ON r.id = l.run_id
           WHERE r.idempotency_key = 'demo-2025'""")
    by = {(r["h"], r["b"]): r["amount_fen"] for r in lines}
    social = by[(org_id("county-soe"), org_id("social"))]
    member = by[(collective_id(HOST), not_joined)]
    # 5 % fixed on 100,000 paid in (500,000.00 fen... ) plus the profit share of 100,000/1,000,000
    assert social == 100_000 * 100 * 5 // 100 + 30_000 * 100 // 10
    assert member == 15_000 * 100 * 5 // 100 + 30_000 * 100 * 15 // 1000
    accounts = {(str(r[0]), str(r[1])): r[2] for r in await shares.pool.fetch(
        "SELECT party_id, held_by_party_id, sum(amount_fen) FROM account_entry "
        "WHERE kind = 'DIVIDEND' GROUP BY 1, 2")}
    assert accounts[(org_id("social"), org_id("county-soe"))] == social
    assert (org_id("county-soe"), org_id("county-soe")) in accounts  # SOE's own shares apart
    # the member sees the dividend as theirs, held by the collective
    me = tokens("resident", region=members_of(HOST)[-1][2], subject=not_joined)
    data = await shares.gql.ok("{ myDividends { amount heldBy { id kind } } myHoldings { shares "
                               "proxy holder { id } } }", token=me)
    assert any(d["heldBy"]["id"] == collective_id(HOST) for d in data["myDividends"])
    assert {(h["proxy"], h["holder"]["id"]) for h in data["myHoldings"]} == {
        (True, collective_id(HOST))}


async def test_proxy_converts_to_direct_holding_when_the_member_joins(shares, tokens):
    maker, _ = admins(tokens)
    not_joined = members_of("QY.01.003")[-1][0]
    q = """query($o: ID!) { proxyHoldings(beneficialOwnerId: $o) { id status shares registerId
            nominee { id } } }"""
    [proxy] = [p for p in (await shares.gql.ok(q, {"o": not_joined}, maker))["proxyHoldings"]
               if p["status"] == "ACTIVE"]
    by_nominee = await shares.gql.ok("query($n: ID!) { proxyHoldings(nomineeId: $n) { id } }",
                                     {"n": collective_id("QY.01.003")}, maker)
    assert proxy["id"] in {p["id"] for p in by_nominee["proxyHoldings"]}
    convert = "mutation($id: ID!) { convertProxyHolding(id: $id) { status shares } }"
    data = await shares.gql.ok(convert, {"id": proxy["id"]}, maker)
    assert data["convertProxyHolding"] == {"status": "CONVERTED", "shares": 0}
    direct = await shares.pool.fetchval(
        "SELECT shares FROM holding WHERE register_id=$1 AND holder_party_id=$2 "
        "AND beneficial_party_id=$2", uuid.UUID(proxy["registerId"]), uuid.UUID(not_joined))
    assert direct == proxy["shares"] == 100
    assert error_codes(await shares.gql(convert, {"id": proxy["id"]}, maker)) == ["INVALID_STATE"]
    kinds = await shares.pool.fetchval(
        "SELECT count(*) FROM ledger_operation WHERE register_id=$1 AND kind='PROXY_CONVERSION'",
        uuid.UUID(proxy["registerId"]))
    assert kinds == 1
    assert await shares.reconciles()
