"""Out-of-scope reads and writes are refused with FORBIDDEN (or UNAUTHENTICATED)."""

from __future__ import annotations

from grid.seed import resident_id
from xiangzhi_shared.testing import error_codes

REPORT = """mutation($input: ReportMatterInput!) { reportMatter(input: $input) { id } }"""
ACCEPT = "mutation($id: ID!) { acceptMatter(id: $id) { status } }"
MATTER = "query($id: ID!) { matter(id: $id) { id title } }"
MATTERS = "query($code: String) { matters(filter: {regionCode: $code}) { totalCount nodes { regionCode } } }"


async def _report(grid, token, grid_code, **extra):
    data = await grid.gql.ok(REPORT, {"input": {"title": "t", "category": "ROAD",
                                                "regionId": grid.region_id(grid_code), **extra}},
                             token)
    return data["reportMatter"]["id"]


async def test_no_token_is_unauthenticated(grid):
    body = await grid.gql(MATTERS, {"code": "QY"})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_garbage_token_is_unauthenticated(grid):
    body = await grid.gql(MATTERS, {"code": "QY"}, token="not.a.jwt")
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_token_signed_by_another_key_is_refused(grid, tmp_path):
    from xiangzhi_shared.testing import Tokens

    stranger = Tokens(tmp_path)("county_admin", region="QY")
    body = await grid.gql(MATTERS, {"code": "QY"}, token=stranger)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_village_cadre_cannot_read_or_work_another_village(grid, tokens):
    other = await _report(grid, tokens("village_cadre", region="QY.01.003"), "QY.01.003.01")
    cadre = tokens("village_cadre", region="QY.01.002")
    assert error_codes(await grid.gql(MATTER, {"id": other}, cadre)) == ["FORBIDDEN"]
    assert error_codes(await grid.gql(ACCEPT, {"id": other}, cadre)) == ["FORBIDDEN"]
    assert error_codes(await grid.gql(MATTERS, {"code": "QY.01.003"}, cadre)) == ["FORBIDDEN"]
    assert error_codes(await grid.gql(MATTERS, {"code": "QY.01"}, cadre)) == ["FORBIDDEN"]
    status = await grid.pool.fetchval("SELECT status FROM matter WHERE id=$1::uuid", other)
    assert status == "REPORTED"


async def test_village_cadre_list_contains_only_own_subtree(grid, tokens):
    cadre = tokens("village_cadre", region="QY.01.002")
    data = await grid.gql.ok(MATTERS, {"code": None}, cadre)
    codes = {n["regionCode"] for n in data["matters"]["nodes"]}
    assert codes and all(c.startswith("QY.01.002.") for c in codes)


async def test_cadre_cannot_report_outside_scope(grid, tokens):
    cadre = tokens("village_cadre", region="QY.01.002")
    body = await grid.gql(REPORT, {"input": {"title": "t", "category": "ROAD",
                                             "regionId": grid.region_id("QY.02.001.01")}}, cadre)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_resident_sees_only_own_matters(grid, tokens):
    me = str(resident_id("QY.01.001.01", 1))
    neighbour = str(resident_id("QY.01.001.01", 2))
    mine = await _report(grid, tokens("resident", region="QY.01.001.01", subject=me),
                         "QY.01.001.01")
    theirs = await _report(grid, tokens("resident", region="QY.01.001.01", subject=neighbour),
                           "QY.01.001.01")
    token = tokens("resident", region="QY.01.001.01", subject=me)
    assert (await grid.gql.ok(MATTER, {"id": mine}, token))["matter"]["id"] == mine
    assert error_codes(await grid.gql(MATTER, {"id": theirs}, token)) == ["FORBIDDEN"]
    data = await grid.gql.ok("{ matters { nodes { id } } }", token=token)
    assert {n["id"] for n in data["matters"]["nodes"]} == {mine}


async def test_resident_cannot_work_matters_or_read_people(grid, tokens):
    me = str(resident_id("QY.01.001.01", 1))
    token = tokens("resident", region="QY.01.001.01", subject=me)
    mine = await _report(grid, token, "QY.01.001.01")
    assert error_codes(await grid.gql(ACCEPT, {"id": mine}, token)) == ["FORBIDDEN"]
    body = await grid.gql("{ people { name } }", token=token)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_resident_cannot_report_in_another_village(grid, tokens):
    me = str(resident_id("QY.01.001.01", 1))
    token = tokens("resident", region="QY.01.001.01", subject=me)
    body = await grid.gql(REPORT, {"input": {"title": "t", "category": "ROAD",
                                             "regionId": grid.region_id("QY.02.001.01")}}, token)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_entity_reference_of_matter_checks_scope(grid, tokens):
    other = await _report(grid, tokens("village_cadre", region="QY.02.002"), "QY.02.002.01")
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Matter { id } } }"""
    cadre = tokens("village_cadre", region="QY.01.002")
    body = await grid.gql(query, {"r": [{"__typename": "Matter", "id": other}]}, cadre)
    assert error_codes(body) == ["FORBIDDEN"]
    county = tokens("county_admin", region="QY")
    data = await grid.gql.ok(query, {"r": [{"__typename": "Matter", "id": other}]}, county)
    assert data["_entities"][0]["id"] == other


async def test_township_admin_sees_metrics_of_own_township_only(grid, tokens):
    admin = tokens("township_admin", region="QY.01")
    q = "query($c: String!) { regionMetrics(code: $c) { total } }"
    assert (await grid.gql.ok(q, {"c": "QY.01"}, admin))["regionMetrics"]["total"] > 0
    assert error_codes(await grid.gql(q, {"c": "QY.02"}, admin)) == ["FORBIDDEN"]
