"""Who sees what: a resident only their own holdings, a cadre only their own village, a
township its subtree, the county everything; writes are refused out of scope."""

from __future__ import annotations

import pytest
from shares.seed import HOST, collective_id, members_of
from xiangzhi_shared.testing import error_codes

REGISTER = "query($c: String!) { collectiveRegister(villageCode: $c) { id regionCode " \
           "holdings { shares } ledger(first: 5) { totalCount } } }"
MINE = "{ myHoldings { registerName shares proxy beneficialOwner { id } } myDividendAccounts " \
       "{ balance } }"
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Resident { holdings { shares beneficialOwner { id } } }
    ... on Village { collectiveRegister { regionCode totalShares } } } }"""
PROJECTS = "{ projects { id parties { party { name } proportion } } }"


def resident(tokens, village="QY.01.001", n=0):
    rid, _, grid = members_of(village)[n]
    return rid, tokens("resident", region=grid, subject=rid)


async def test_no_token_is_unauthenticated(shares):
    assert error_codes(await shares.gql(MINE)) == ["UNAUTHENTICATED"]
    assert error_codes(await shares.gql(REGISTER, {"c": "QY.01.001"})) == ["UNAUTHENTICATED"]


async def test_resident_sees_only_own_holdings(shares, tokens):
    me, token = resident(tokens)
    data = await shares.gql.ok(MINE, token=token)
    assert data["myHoldings"] and all(h["beneficialOwner"]["id"] == me for h in data["myHoldings"])
    neighbour, _ = resident(tokens, n=1)
    body = await shares.gql(ENTITIES, {"r": [{"__typename": "Resident", "id": neighbour}]}, token)
    assert error_codes(body) == ["FORBIDDEN"]
    mine = await shares.gql.ok(ENTITIES, {"r": [{"__typename": "Resident", "id": me}]}, token)
    assert mine["_entities"][0]["holdings"]
    assert error_codes(await shares.gql(REGISTER, {"c": "QY.01.001"}, token)) == ["FORBIDDEN"]
    assert error_codes(await shares.gql(PROJECTS, token=token)) == ["FORBIDDEN"]


async def test_staff_cannot_use_my_queries(shares, tokens):
    body = await shares.gql(MINE, token=tokens("county_admin", region="QY"))
    assert error_codes(body)[0] == "FORBIDDEN"


@pytest.mark.parametrize("role,region,village,allowed", [
    ("village_cadre", "QY.01.001", "QY.01.001", True),
    ("village_cadre", "QY.01.001", "QY.01.002", False),
    ("village_cadre", "QY.01.001", "QY.02.001", False),
    ("township_admin", "QY.01", "QY.01.003", True),
    ("township_admin", "QY.01", "QY.02.001", False),
    ("county_admin", "QY", "QY.02.003", True),
    ("grid_worker", "QY.01.001", "QY.01.001", False),
    ("coop_staff", "QY", "QY.01.001", False),
])
async def test_collective_register_matrix(shares, tokens, role, region, village, allowed):
    body = await shares.gql(REGISTER, {"c": village}, tokens(role, region=region))
    if allowed:
        assert not body.get("errors"), body
        assert body["data"]["collectiveRegister"]["regionCode"] == village
    else:
        assert error_codes(body) == ["FORBIDDEN"]


async def test_village_entity_extension_checks_scope(shares, tokens):
    rep = {"r": [{"__typename": "Village", "id": collective_id("QY.01.002")}]}
    cadre = tokens("village_cadre", region="QY.01.002")
    data = await shares.gql.ok(ENTITIES, rep, cadre)
    assert data["_entities"][0]["collectiveRegister"]["regionCode"] == "QY.01.002"
    body = await shares.gql(ENTITIES, rep, tokens("village_cadre", region="QY.01.001"))
    assert error_codes(body) == ["FORBIDDEN"]


async def test_project_parties_are_for_the_county(shares, tokens):
    assert (await shares.gql.ok(PROJECTS, token=tokens("county_admin", region="QY")))["projects"]
    for token in (tokens("village_cadre", region=HOST), tokens("township_admin", region="QY.01")):
        assert error_codes(await shares.gql(PROJECTS, token=token)) == ["FORBIDDEN"]


async def test_registers_list_contains_only_own_subtree(shares, tokens):
    data = await shares.gql.ok("{ registers { regionCode kind } }",
                               token=tokens("township_admin", region="QY.02"))
    codes = {r["regionCode"] for r in data["registers"]}
    assert codes and all(c == "QY.02" or c.startswith("QY.02.") for c in codes)
    cadre = await shares.gql.ok("{ registers { regionCode kind } }",
                                token=tokens("village_cadre", region="QY.01.002"))
    # the consortium hosted here is the county's: a cadre sees the collective only
    assert {(r["regionCode"], r["kind"]) for r in cadre["registers"]} == {("QY.01.002",
                                                                          "COLLECTIVE")}


async def test_cadre_cannot_write_another_village_or_a_project(shares, tokens):
    other = await shares.pool.fetchval(
        "SELECT id::text FROM share_register WHERE kind='COLLECTIVE' AND region_code='QY.01.003'")
    cadre = tokens("village_cadre", region="QY.01.002")
    before = await shares.pool.fetchval("SELECT count(*) FROM ledger_operation")
    m = members_of("QY.01.003")
    body = await shares.gql(
        """mutation($i: TransferSharesInput!) { transferShares(input: $i) { id } }""",
        {"i": {"registerId": other, "fromHolderId": m[0][0], "toHolderId": m[1][0],
               "shareClass": "MEMBER", "shares": 1, "approvalRef": "x", "approvedBy": "y"}}, cadre)
    assert error_codes(body) == ["FORBIDDEN"]
    project = await shares.pool.fetchval("SELECT register_id::text FROM project LIMIT 1")
    body = await shares.gql(
        """mutation($i: CreateRunInput!) { createDistributionRun(input: $i) { id } }""",
        {"i": {"registerId": project, "declaredAmount": "1.00", "period": "x",
               "idempotencyKey": "x"}}, tokens("village_cadre", region=HOST))
    assert error_codes(body) == ["FORBIDDEN"]
    assert await shares.pool.fetchval("SELECT count(*) FROM ledger_operation") == before
