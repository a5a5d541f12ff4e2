"""Bad input gets a clear error with a stable code, never a 500, and writes nothing."""

from __future__ import annotations

import uuid

from xiangzhi_shared.testing import error_codes

REPORT = """mutation($input: ReportMatterInput!) { reportMatter(input: $input) { id } }"""


async def _counts(grid):
    return await grid.pool.fetchrow(
        "SELECT (SELECT count(*) FROM matter) AS matters, (SELECT count(*) FROM outbox) AS events")


async def test_unknown_matter_id_is_not_found(grid, tokens):
    token = tokens("county_admin", region="QY")
    body = await grid.gql("mutation($id: ID!) { acceptMatter(id: $id) { id } }",
                          {"id": str(uuid.uuid4())}, token)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_malformed_id_is_a_validation_error(grid, tokens):
    token = tokens("county_admin", region="QY")
    body = await grid.gql("query { matter(id: \"42; drop table matter\") { id } }", token=token)
    assert error_codes(body) == ["VALIDATION"]


async def test_unknown_region_writes_nothing(grid, tokens):
    token = tokens("county_admin", region="QY")
    before = await _counts(grid)
    body = await grid.gql(REPORT, {"input": {"title": "t", "category": "ROAD",
                                             "regionId": str(uuid.uuid4())}}, token)
    assert error_codes(body) == ["NOT_FOUND"]
    assert await _counts(grid) == before


async def test_invalid_enum_is_rejected_before_execution(grid, tokens):
    token = tokens("county_admin", region="QY")
    before = await _counts(grid)
    body = await grid.gql(REPORT, {"input": {"title": "t", "category": "VOLCANO",
                                             "regionId": grid.region_id("QY.01.001.01")}}, token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await _counts(grid) == before


async def test_oversized_title_and_record_are_rejected_and_write_nothing(grid, tokens):
    token = tokens("county_admin", region="QY")
    before = await _counts(grid)
    body = await grid.gql(REPORT, {"input": {"title": "长" * 201, "category": "ROAD",
                                             "regionId": grid.region_id("QY.01.001.01")}}, token)
    assert error_codes(body) == ["VALIDATION"]
    assert body["errors"][0]["extensions"]["field"] == "title"
    assert await _counts(grid) == before


async def test_out_of_range_satisfaction_is_rejected(grid, tokens):
    token = tokens("county_admin", region="QY")
    closed = await grid.pool.fetchval("SELECT id::text FROM matter WHERE status='CLOSED' LIMIT 1")
    body = await grid.gql("mutation($id: ID!) { followUpMatter(id: $id, satisfaction: 9) { id } }",
                          {"id": closed}, token)
    assert error_codes(body) == ["VALIDATION"]
    assert await grid.pool.fetchval("SELECT status FROM matter WHERE id=$1::uuid", closed) == "CLOSED"


async def test_malformed_graphql_is_a_parse_error_not_a_500(grid, tokens):
    response = await grid.gql.post("{ matters { nodes { id ", token=tokens("county_admin", region="QY"))
    assert response.status_code in (200, 400)
    assert error_codes(response.json()) == ["GRAPHQL_PARSE_FAILED"]


async def test_unknown_field_is_a_validation_error(grid, tokens):
    body = await grid.gql("{ matters { nodes { salary } } }", token=tokens("county_admin", region="QY"))
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_non_json_body_is_a_4xx(grid):
    response = await grid.gql.http.post(grid.gql.url, content=b"{not json",
                                        headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500


async def test_oversized_body_is_refused_with_413(grid):
    response = await grid.gql.http.post(grid.gql.url, content=b"x" * 300_000,
                                        headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_page_size_out_of_range_is_a_validation_error(grid, tokens):
    body = await grid.gql("{ matters(first: 1000) { totalCount } }",
                          token=tokens("county_admin", region="QY"))
    assert error_codes(body) == ["VALIDATION"]


async def test_bad_cursor_is_a_validation_error(grid, tokens):
    body = await grid.gql('{ matters(after: "%%%") { totalCount } }',
                          token=tokens("county_admin", region="QY"))
    assert error_codes(body) == ["VALIDATION"]
