"""Supergraph loading and the API schema."""

from __future__ import annotations

import pytest
from gateway.supergraph import parse_supergraph
from gateway.supergraph.federation.link import SupergraphError
from graphql import print_schema


def test_api_schema_hides_join_machinery_and_inaccessible_fields(offline_supergraph):
    sdl = print_schema(offline_supergraph.api_schema)
    assert "join__" not in sdl and "link__" not in sdl and "@link" not in sdl
    assert "secret" not in sdl  # @inaccessible
    assert "type User implements Assignable" in sdl
    assert "workload: Int!" in sdl


def test_supergraph_model_reads_keys_overrides_and_interface_objects(offline_supergraph):
    sg = offline_supergraph
    assert sg.graph_order == ["accounts", "matters", "grid"]
    assert sg.type_in("User", "matters").keys == ["id"]
    assert sg.type_in("Assignable", "grid").interface_object
    assert sg.resolving_graphs("User", "district") == ["grid"]
    assert sg.resolving_graphs("User", "name") == ["accounts"]  # external in matters
    assert sg.field_in("User", "label", "matters").requires == "name"


def test_a_document_without_the_join_spec_is_refused():
    with pytest.raises(SupergraphError, match="join spec"):
        parse_supergraph("type Query { a: Int }")


def test_an_unparsable_document_is_refused_with_a_clear_message():
    with pytest.raises(SupergraphError, match="does not parse"):
        parse_supergraph("type Query {")
