"""`join__FieldSet` strings (keys, @requires, @provides) parsed into the normalised IR, against
the full supergraph schema (field sets may name @inaccessible fields)."""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLSchema, OperationDefinitionNode, parse

from gateway.normalize import normalize_selection_set
from gateway.normalize.inline_fragments import inline_fragments
from gateway.normalize.ir import NSelection


class FieldSetParser:
    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        self.parse = lru_cache(maxsize=None)(self._parse)

    def _parse(self, type_name: str, field_set: str) -> tuple[NSelection, ...]:
        operation = parse("{" + field_set + "}", no_location=True).definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        selection_set = operation.selection_set
        items = inline_fragments(selection_set, {})
        return tuple(normalize_selection_set(items, type_name, self._schema))
