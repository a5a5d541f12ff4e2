"""Response shaping compiled once per plan: the common case (every value where the schema wants
it, no nulls in non-null positions) without per-field type dispatch or path bookkeeping.

Why: shaping walked the API schema's types for every value of every request (isinstance
chains, field lookups, path push/pop) and was a third of the gateway's CPU on the benchmark's
heavy query. The plan already fixes the selections and their types, so this module turns them,
per plan, into flat tables of (response key, what to do); shaping is then one loop per object.

Anything unusual (a null where the schema forbids one, a wrong shape, an unknown enum value,
a runtime type the client cannot see, an @interfaceObject answer) raises `Fallback`, and the
caller shapes that response with `shape.Shaper`, which knows how to report it with exact paths.
So the output is always the one `Shaper` gives; this is only its fast path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_abstract_type,
)

from gateway.normalize.ir import NField, NFragment, NSelection


class Fallback(Exception):
    """This response needs the full shaper."""


# Entry kinds of an object table.
_SCALAR, _SCALAR_NON_NULL, _TYPENAME, _COMPLETE = 0, 1, 2, 3

Entry = tuple[str, int, Any]
Complete = Callable[[Any], Any]


def _shape_object(entries: list[Entry], value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    get = value.get
    for key, kind, arg in entries:
        if kind == _SCALAR:
            out[key] = get(key)
        elif kind == _TYPENAME:
            out[key] = arg
        elif kind == _SCALAR_NON_NULL:
            v = get(key)
            if v is None:
                raise Fallback
            out[key] = v
        else:
            out[key] = arg(get(key))
    return out


class CompiledShape:
    """The shaping tables of one plan (built on first use, kept with the plan)."""

    def __init__(self, schema: GraphQLSchema, root_type: str, selections: list[NSelection]):
        self.schema = schema
        root = schema.get_type(root_type)
        assert isinstance(root, GraphQLObjectType)
        self._root = self._table(root, selections)

    def shape(self, data: dict[str, Any] | None) -> dict[str, Any]:
        return _shape_object(self._root, data or {})

    # ----- compilation ------------------------------------------------------------------

    def _table(self, otype: GraphQLObjectType, selections: list[NSelection]) -> list[Entry]:
        table: list[Entry] = []
        for key, name, merged in _collect(self.schema, otype, selections):
            if name == "__typename":
                table.append((key, _TYPENAME, otype.name))
                continue
            definition = otype.fields.get(name)
            if definition is None:
                continue
            ftype = definition.type
            if merged is None and not isinstance(_named(ftype), GraphQLEnumType):
                if isinstance(ftype, GraphQLNonNull) and not isinstance(ftype.of_type, GraphQLList):
                    table.append((key, _SCALAR_NON_NULL, None))
                    continue
                if not isinstance(ftype, (GraphQLNonNull, GraphQLList)):
                    table.append((key, _SCALAR, None))
                    continue
            table.append((key, _COMPLETE, self._complete(ftype, merged)))
        return table

    def _complete(self, ftype: GraphQLOutputType, selections: list[NSelection] | None) -> Complete:
        if isinstance(ftype, GraphQLNonNull):
            inner = self._complete(ftype.of_type, selections)

            def non_null(value: Any) -> Any:
                if value is None:
                    raise Fallback
                return inner(value)

            return non_null
        if isinstance(ftype, GraphQLList):
            item = self._complete(ftype.of_type, selections)

            def list_of(value: Any) -> Any:
                if value is None:
                    return None
                if type(value) is not list:
                    raise Fallback
                return [item(v) for v in value]

            return list_of
        if isinstance(ftype, GraphQLEnumType):
            names = frozenset(ftype.values)

            def enum(value: Any) -> Any:
                if value is None or (isinstance(value, str) and value in names):
                    return value
                raise Fallback

            return enum
        if selections is None:
            return _identity
        if isinstance(ftype, GraphQLObjectType):
            table = self._table(ftype, selections)

            def obj(value: Any) -> Any:
                if value is None:
                    return None
                if type(value) is not dict:
                    raise Fallback
                return _shape_object(table, value)

            return obj
        return self._abstract(ftype, selections)

    def _abstract(self, ftype: Any, selections: list[NSelection]) -> Complete:
        tables: dict[str, list[Entry]] = {}
        schema = self.schema

        def abstract(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not dict:
                raise Fallback
            typename = value.get("__typename")
            table = tables.get(typename)  # type: ignore[arg-type]
            if table is None:
                runtime = schema.get_type(typename) if isinstance(typename, str) else None
                if not isinstance(runtime, GraphQLObjectType) or not schema.is_sub_type(
                    ftype, runtime
                ):
                    raise Fallback  # an interface object or a type the client cannot see
                table = tables[typename] = self._table(runtime, selections)
            return _shape_object(table, value)

        return abstract


def _identity(value: Any) -> Any:
    return value


def _named(ftype: Any) -> Any:
    while isinstance(ftype, (GraphQLNonNull, GraphQLList)):
        ftype = ftype.of_type
    return ftype


def _collect(
    schema: GraphQLSchema, otype: GraphQLObjectType, selections: list[NSelection]
) -> list[tuple[str, str, list[NSelection] | None]]:
    """GraphQL's CollectFields, as `shape.Shaper._collect` does it: once per response key, in
    order, sub-selections of repeated keys merged."""
    order: list[str] = []
    found: dict[str, tuple[str, list[NSelection] | None]] = {}

    def applies(condition: str | None) -> bool:
        if condition is None or condition == otype.name:
            return True
        ctype = schema.get_type(condition)
        return bool(ctype and is_abstract_type(ctype) and schema.is_sub_type(ctype, otype))  # type: ignore[arg-type]

    def walk(items: list[NSelection]) -> None:
        for sel in items:
            if isinstance(sel, NFragment):
                if applies(sel.type_condition):
                    walk(sel.selections)
                continue
            assert isinstance(sel, NField)
            seen = found.get(sel.response_key)
            if seen is None:
                order.append(sel.response_key)
                found[sel.response_key] = (
                    sel.name, list(sel.selections) if sel.selections is not None else None
                )
            elif sel.selections is not None and seen[1] is not None:
                seen[1].extend(sel.selections)

    walk(selections)
    return [(k, found[k][0], found[k][1]) for k in order]
