"""End to end through the pipeline: the gateway plans and executes against the county
subgraphs over real HTTP. Each test names the federation behaviour it pins down."""

from __future__ import annotations

from gateway.pipeline import GraphQLRequest


async def run(gateway, query, variables=None, operation=None):
    outcome = await gateway.execute(GraphQLRequest(query, variables, operation))
    return outcome.response


async def test_key_entity_call_joins_fields_from_two_subgraphs(gateway):
    result = await run(gateway, "{ matters { id reporter { id name } } }")
    assert "errors" not in result
    assert result["data"]["matters"][0] == {"id": "m1", "reporter": {"id": "u1", "name": "Li Wei"}}


async def test_requires_sends_the_required_field_in_the_representation(gateway, county):
    result = await run(gateway, '{ me { label } }')
    assert result == {"data": {"me": {"label": "Li Wei (2 matters)"}}}
    entity_calls = [e for e in county.log if e["subgraph"] == "matters" and "_entities" in e["query"]]
    assert entity_calls[-1]["variables"]["representations"] == [
        {"__typename": "User", "id": "u1", "name": "Li Wei"}
    ]


async def test_provides_lets_the_providing_subgraph_answer_an_external_field(gateway, county):
    before = len(county.log)
    result = await run(gateway, "{ recentMatters { id reporter { name } } }")
    assert result["data"]["recentMatters"][0]["reporter"]["name"] == "Wang Fang"
    assert [e["subgraph"] for e in county.log[before:]] == ["matters"]  # no entity call


async def test_override_routes_the_field_to_the_overriding_subgraph(gateway):
    result = await run(gateway, "{ me { district } }")
    assert result == {"data": {"me": {"district": "East"}}}


async def test_inaccessible_field_is_rejected_by_validation(gateway):
    result = await run(gateway, "{ me { secret } }")
    assert result["data"] is None if "data" in result else True
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_interface_object_field_is_added_to_every_implementation(gateway):
    result = await run(gateway, "{ me { workload } }")
    assert result == {"data": {"me": {"workload": 3}}}


async def test_interface_object_root_resolves_the_real_typename(gateway):
    result = await run(gateway, "{ assignables { __typename id workload ... on Team { title } } }")
    assert result == {"data": {"assignables": [
        {"__typename": "User", "id": "u1", "workload": 3},
        {"__typename": "User", "id": "u2", "workload": 1},
        {"__typename": "Team", "id": "t1", "workload": 7, "title": "Road crew"},
    ]}}


async def test_union_members_are_completed_from_their_own_subgraphs(gateway):
    result = await run(
        gateway,
        '{ search(text: "a") { __typename ... on Matter { title } ... on User { name district } } }',
    )
    assert result == {"data": {"search": [
        {"__typename": "Matter", "title": "Broken lamp"},
        {"__typename": "Matter", "title": "Flooded lane"},
        {"__typename": "User", "name": "Wang Fang", "district": "West"},
    ]}}


async def test_entity_calls_from_child_to_parent_and_back(gateway):
    result = await run(gateway, "{ me { name matters { title reporter { district } } } }")
    assert result["data"]["me"]["matters"][0] == {"title": "Broken lamp",
                                                   "reporter": {"district": "East"}}


async def test_shareable_root_field_is_answered_once(gateway):
    result = await run(gateway, "{ hello }")
    assert result == {"data": {"hello": "accounts"}}


async def test_fragments_aliases_and_typename_are_normalised(gateway):
    query = """
    query Q { first: me { ...who } again: me { n: name __typename } __typename }
    fragment who on User { id n: name }
    """
    result = await run(gateway, query)
    assert result == {"data": {
        "first": {"id": "u1", "n": "Li Wei"},
        "again": {"n": "Li Wei", "__typename": "User"},
        "__typename": "Query",
    }}


async def test_skip_and_include_follow_variables(gateway):
    query = "query($full: Boolean!) { me { id name @include(if: $full) district @skip(if: $full) } }"
    assert (await run(gateway, query, {"full": True}))["data"]["me"] == {"id": "u1", "name": "Li Wei"}
    assert (await run(gateway, query, {"full": False}))["data"]["me"] == {"id": "u1", "district": "East"}


async def test_plan_cache_is_keyed_by_the_skip_include_values(gateway):
    query = "query($a: Boolean!) { me { id name @include(if: $a) } }"
    first = await gateway.execute(GraphQLRequest(query, {"a": True}))
    second = await gateway.execute(GraphQLRequest(query, {"a": True}))
    third = await gateway.execute(GraphQLRequest(query, {"a": False}))
    assert (first.plan_cache_hit, second.plan_cache_hit, third.plan_cache_hit) == (False, True, False)


async def test_mutations_run_in_document_order(gateway, county):
    county.mutation_order.clear()
    query = """mutation {
      a: openMatter(title: "Dark road") { id title }
      b: rename(id: "u2", name: "Wang F.") { name }
      c: openMatter(title: "Fallen tree") { reporter { name } }
    }"""
    result = await run(gateway, query)
    assert "errors" not in result
    assert county.mutation_order == ["openMatter:Dark road", "rename:Wang F.", "openMatter:Fallen tree"]
    assert result["data"]["b"] == {"name": "Wang F."}
    county.users["u2"]["name"] = "Wang Fang"


async def test_introspection_is_answered_by_the_gateway_from_the_api_schema(gateway, county):
    before = len(county.log)
    result = await run(gateway, '{ __type(name: "User") { fields { name } } me { id } }')
    names = {f["name"] for f in result["data"]["__type"]["fields"]}
    assert "secret" not in names and {"id", "name", "label", "workload"} <= names
    assert result["data"]["me"] == {"id": "u1"}
    assert all("__type" not in e["query"] for e in county.log[before:])


async def test_variables_are_validated_before_planning(gateway):
    result = await run(gateway, "query($t: String!) { search(text: $t) { __typename } }", {})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_variables_are_forwarded_to_the_subgraph(gateway):
    result = await run(gateway, "query($t: String!) { search(text: $t) { ... on Matter { id } } }",
                       {"t": "pump"})
    assert result == {"data": {"search": [{"id": "m3"}]}}


async def test_entity_fetches_of_one_level_to_one_subgraph_go_as_one_request(gateway, county):
    # me (accounts) and recentMatters (matters) run in parallel; both then need `district`
    # from grid: one request to grid carries both fetches, and each answer lands at its path.
    before = len(county.log)
    result = await run(gateway, "{ me { id district } recentMatters { id reporter { district } } }")
    assert "errors" not in result
    assert result["data"]["me"]["district"] == "East"
    districts = {m["reporter"]["district"] for m in result["data"]["recentMatters"]}
    assert districts <= {"East", "West"} and districts
    to_grid = [r for r in county.log[before:] if r["subgraph"] == "grid"]
    assert len(to_grid) == 1, [r["query"] for r in to_grid]
    assert to_grid[0]["query"].count("_entities") == 2  # two aliased fetches in one operation
