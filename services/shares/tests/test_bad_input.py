"""Bad input gets a clear error with a stable code, never a 500, and writes nothing."""

from __future__ import annotations

import uuid

import pytest
from shares.seed import collective_id, members_of, org_id
from xiangzhi_shared.testing import error_codes

ISSUE = "mutation($i: IssueSharesInput!) { issueShares(input: $i) { id } }"
TRANSFER = "mutation($i: TransferSharesInput!) { transferShares(input: $i) { id } }"
CREATE_RUN = "mutation($i: CreateRunInput!) { createDistributionRun(input: $i) { id } }"
PROJECT = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }"
COUNTS = """SELECT (SELECT count(*) FROM ledger_operation), (SELECT count(*) FROM ledger_line),
    (SELECT count(*) FROM distribution_run), (SELECT count(*) FROM project),
    (SELECT count(*) FROM proxy_holding), (SELECT count(*) FROM account_entry),
    (SELECT count(*) FROM outbox), (SELECT sum(shares) FROM holding)"""
VILLAGE = "QY.01.001"


async def _register(shares):
    return await shares.pool.fetchval(
        "SELECT id::text FROM share_register WHERE kind='COLLECTIVE' AND region_code=$1", VILLAGE)


@pytest.fixture
async def unchanged(shares):
    before = await shares.pool.fetchrow(COUNTS)
    yield
    assert await shares.pool.fetchrow(COUNTS) == before


@pytest.mark.parametrize("amount,code", [("-100.00", "VALIDATION"), ("100.005", "VALIDATION"),
                                         ("1e5", "VALIDATION"), ("lots", "VALIDATION")])
async def test_bad_run_amounts_are_refused(shares, tokens, unchanged, amount, code):
    body = await shares.gql(CREATE_RUN, {"i": {"registerId": await _register(shares),
                                               "declaredAmount": amount, "period": "2025",
                                               "idempotencyKey": str(uuid.uuid4())}},
                            tokens("county_admin", region="QY"))
    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == "declaredAmount"


async def test_posting_more_than_the_collectives_income_writes_nothing(shares, tokens):
    token = tokens("county_admin", region="QY")
    run = await shares.gql.ok(CREATE_RUN, {"i": {"registerId": await _register(shares),
                                                 "declaredAmount": "99999999.00", "period": "x",
                                                 "idempotencyKey": "too-much"}}, token)
    run_id = run["createDistributionRun"]["id"]
    await shares.gql.ok("mutation($id: ID!) { reviewDistributionRun(id: $id) { id } }",
                        {"id": run_id}, tokens("county_admin", region="QY", subject="other"))
    before = await shares.pool.fetchrow(COUNTS)
    body = await shares.gql("mutation($id: ID!) { postDistributionRun(id: $id) { id } }",
                            {"id": run_id}, token)
    assert error_codes(body) == ["INVALID_STATE"]
    assert await shares.pool.fetchrow(COUNTS) == before
    assert await shares.pool.fetchval("SELECT status FROM distribution_run WHERE id=$1",
                                      uuid.UUID(run_id)) == "REVIEWED"


@pytest.mark.parametrize("shares_n,value,basis,code,field", [
    (-5, "10.00", "CASH", "VALIDATION", "shares"),
    (0, "10.00", "CASH", "VALIDATION", "shares"),
    (10, "10.001", "CASH", "VALIDATION", "basisValue"),
    (10, "-10.00", "CASH", "VALIDATION", "basisValue"),
    (10, "0", "CASH", "VALIDATION", "basisValue"),
    (10, "5000.00", "ASSET", "VALIDATION", "appraisal"),  # no recorded appraisal
])
async def test_bad_issuance_is_refused(shares, tokens, unchanged, shares_n, value, basis, code,
                                       field):
    body = await shares.gql(ISSUE, {"i": {
        "registerId": await _register(shares), "holderId": members_of(VILLAGE)[0][0],
        "shareClass": "CAPITAL", "shares": shares_n, "basis": basis, "basisValue": value}},
        tokens("county_admin", region="QY"))
    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field


async def test_fractional_share_count_is_refused_before_execution(shares, tokens, unchanged):
    body = await shares.gql(ISSUE, {"i": {
        "registerId": await _register(shares), "holderId": members_of(VILLAGE)[0][0],
        "shareClass": "MEMBER", "shares": 1.5, "basis": "NONE"}},
        tokens("county_admin", region="QY"))
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_unknown_holders_are_not_found(shares, tokens, unchanged):
    token = tokens("county_admin", region="QY")
    reg = await _register(shares)
    body = await shares.gql(ISSUE, {"i": {"registerId": reg, "holderId": str(uuid.uuid4()),
                                          "shareClass": "MEMBER", "shares": 1, "basis": "NONE"}},
                            token)
    assert error_codes(body) == ["NOT_FOUND"]
    outsider = members_of("QY.02.001")[0][0]  # known party, not on this register
    body = await shares.gql(ISSUE, {"i": {"registerId": reg, "holderId": outsider,
                                          "shareClass": "MEMBER", "shares": 1, "basis": "NONE"}},
                            token)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await shares.gql(TRANSFER, {"i": {
        "registerId": reg, "fromHolderId": members_of(VILLAGE)[0][0],
        "toHolderId": str(uuid.uuid4()), "shareClass": "MEMBER", "shares": 1,
        "approvalRef": "a", "approvedBy": "b"}}, token)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await shares.gql(CREATE_RUN, {"i": {"registerId": str(uuid.uuid4()),
                                               "declaredAmount": "1.00", "period": "x",
                                               "idempotencyKey": "x"}}, token)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_transfer_rules_are_enforced(shares, tokens, unchanged):
    token = tokens("county_admin", region="QY")
    reg = await _register(shares)
    a, b = members_of(VILLAGE)[0][0], members_of(VILLAGE)[2][0]
    base = {"registerId": reg, "fromHolderId": a, "toHolderId": b, "shareClass": "MEMBER"}
    no_approval = await shares.gql(TRANSFER, {"i": {**base, "shares": 1}}, token)
    assert error_codes(no_approval) == ["VALIDATION"]
    oversell = await shares.gql(TRANSFER, {"i": {**base, "shares": 10_000, "approvalRef": "r",
                                                 "approvedBy": "v"}}, token)
    assert error_codes(oversell) == ["INVALID_STATE"]
    to_collective = await shares.gql(TRANSFER, {"i": {**base, "toHolderId": collective_id(VILLAGE),
                                                      "shares": 1, "approvalRef": "r",
                                                      "approvedBy": "v"}}, token)
    assert error_codes(to_collective) == ["INVALID_STATE"]  # member shares stay among members


@pytest.mark.parametrize("stakes", [
    [("county-soe", "0.3333"), ("finance", "0.3333"), ("leading", "0.3333")],
    [("county-soe", "0.5"), ("finance", "0.6")],
    [("county-soe", "1/3"), ("finance", "1/3")],
    [("county-soe", "0.5"), ("finance", "0.5"), ("leading", "-0.0")],
    [("county-soe", "0.5"), ("finance", "half")],
])
async def test_project_proportions_must_sum_to_exactly_one(shares, tokens, unchanged, stakes):
    body = await shares.gql(PROJECT, {"i": {
        "name": "测试项目", "hostRegionCode": "QY.01.001", "totalCapital": "100000.00",
        "decisionRef": "决议1", "stakes": [{"partyId": org_id(k), "share": s} for k, s in stakes]}},
        tokens("county_admin", region="QY"))
    assert error_codes(body) == ["VALIDATION"]


async def test_project_with_unknown_party_writes_nothing(shares, tokens, unchanged):
    body = await shares.gql(PROJECT, {"i": {
        "name": "测试项目", "hostRegionCode": "QY.01.001", "totalCapital": "100000.00",
        "decisionRef": "决议1", "stakes": [{"partyId": org_id("county-soe"), "share": "0.5"},
                                         {"partyId": str(uuid.uuid4()), "share": "0.5"}]}},
        tokens("county_admin", region="QY"))
    assert error_codes(body) == ["NOT_FOUND"]


async def test_malformed_ids_are_validation_errors(shares, tokens, unchanged):
    body = await shares.gql('{ register(id: "1; drop table holding") { id } }',
                            token=tokens("county_admin", region="QY"))
    assert error_codes(body) == ["VALIDATION"]
