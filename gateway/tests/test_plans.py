"""Query plans as text, compared with the snapshots in snapshots/. A planner change that
alters a plan shows up as a diff; regenerate deliberately with GATEWAY_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gateway.normalize import find_operation, normalize
from gateway.planner import build_plan
from gateway.planner.fieldsets import FieldSetParser
from graphql import parse

SNAPSHOTS = Path(__file__).parent / "snapshots"

CASES = {
    "key_entity_call": "{ matters { id reporter { name } } }",
    "requires": "{ me { label } }",
    "provides": "{ recentMatters { reporter { name } } }",
    "override": "{ me { district } }",
    "interface_object_field": "{ me { workload } }",
    "interface_object_typename": "{ assignables { __typename workload ... on Team { title } } }",
    "union_across_subgraphs": '{ search(text: "a") { ... on User { name } ... on Matter { title } } }',
    "child_parent_child": "{ me { matters { reporter { district name } } } }",
    "parallel_roots": "{ me { id } matters { id } regions { code } }",
    "mutations_in_order":
        'mutation { a: openMatter(title: "x") { id } b: rename(id: "u1", name: "y") { id } }',
}


def plan_text(supergraph, query: str) -> str:
    document = parse(query)
    op = normalize(document, find_operation(document, None), supergraph.api_schema, {})
    return build_plan(supergraph, FieldSetParser(supergraph.schema), op).print() + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_matches_snapshot(offline_supergraph, name):
    text = plan_text(offline_supergraph, CASES[name])
    path = SNAPSHOTS / f"{name}.plan"
    if os.environ.get("GATEWAY_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path.name}: run with GATEWAY_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def test_benchmark_heavy_query_plan_matches_snapshot():
    from gateway.supergraph import parse_supergraph

    bench = Path(__file__).parent / "fixtures" / "bench.supergraph.graphql"
    query = (Path(__file__).parent / "fixtures" / "heavy-query.graphql").read_text()
    text = plan_text(parse_supergraph(bench.read_text()), query)
    path = SNAPSHOTS / "bench_heavy_query.plan"
    if os.environ.get("GATEWAY_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
