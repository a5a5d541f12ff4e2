"""Shapes the client's response from the merged subgraph data: only the fields the client
selected, in its response keys, `__typename` filled in, enum values checked against the API
schema, and GraphQL null propagation (a null in a non-null position nulls the nearest nullable
parent) with an error at the exact path."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_abstract_type,
)

from gateway.normalize.ir import NField, NFragment, NSelection


class _Invalid:
    """A null where the schema forbids one: the parent must become null."""


INVALID = _Invalid()


class Shaper:
    def __init__(self, schema: GraphQLSchema, errors: list[dict[str, Any]]) -> None:
        self.schema = schema
        self.errors = errors
        self._error_paths = [tuple(e["path"]) for e in errors if e.get("path")]
        self._fetch_failed = any(not e.get("path") for e in errors)
        self._collected: dict[tuple[int, str], list] = {}
        self._keep_alive: list[list[NSelection]] = []  # ids in the cache stay valid

    def shape(self, root_type: str, selections: list[NSelection], data: dict[str, Any] | None):
        root = self.schema.get_type(root_type)
        assert isinstance(root, GraphQLObjectType)
        result = self._object(root, selections, data or {}, [])
        return None if result is INVALID else result

    def _has_error_below(self, path: list[Any]) -> bool:
        n = len(path)
        t = tuple(path)
        return any(p[:n] == t for p in self._error_paths)

    def _null_error(self, parent: str, field: str, path: list[Any]) -> None:
        if self._fetch_failed or self._has_error_below(path):
            return  # the subgraph's own error already explains this null
        self.errors.append({
            "message": f"Cannot return null for non-nullable field {parent}.{field}.",
            "path": list(path),
        })
        self._error_paths.append(tuple(path))

    def _object(
        self, otype: GraphQLObjectType, selections: list[NSelection], value: dict[str, Any],
        path: list[Any],
    ) -> dict[str, Any] | _Invalid:
        out: dict[str, Any] = {}
        for key, name, field, merged in self._collect(otype, selections):
            if name == "__typename":
                out[key] = otype.name
                continue
            definition = otype.fields.get(name)
            if definition is None:
                continue
            path.append(key)
            result = self._complete(definition.type, value.get(key), field, merged, path)
            if result is INVALID:
                self._null_error(otype.name, name, path)
                path.pop()
                return INVALID
            path.pop()
            out[key] = result
        return out

    def _collect(
        self, otype: GraphQLObjectType, selections: list[NSelection]
    ) -> list[tuple[str, str, NField, list[NSelection] | None]]:
        """The fields that apply to `otype`, once per response key, sub-selections merged
        (GraphQL's CollectFields); cached per selection set and type, so shaping a long list
        collects once."""
        cache_key = (id(selections), otype.name)
        cached = self._collected.get(cache_key)
        if cached is not None:
            return cached
        order: list[str] = []
        found: dict[str, tuple[NField, list[NSelection] | None]] = {}

        def walk(items: list[NSelection]) -> None:
            for sel in items:
                if isinstance(sel, NFragment):
                    if self._applies(sel.type_condition, otype):
                        walk(sel.selections)
                    continue
                seen = found.get(sel.response_key)
                if seen is None:
                    order.append(sel.response_key)
                    found[sel.response_key] = (
                        sel, list(sel.selections) if sel.selections is not None else None
                    )
                elif sel.selections is not None and seen[1] is not None:
                    seen[1].extend(sel.selections)

        walk(selections)
        result = [(k, found[k][0].name, found[k][0], found[k][1]) for k in order]
        self._collected[cache_key] = result
        self._keep_alive.append(selections)
        return result

    def _applies(self, condition: str | None, otype: GraphQLObjectType) -> bool:
        if condition is None or condition == otype.name:
            return True
        ctype = self.schema.get_type(condition)
        return bool(ctype and is_abstract_type(ctype) and self.schema.is_sub_type(ctype, otype))  # type: ignore[arg-type]

    def _complete(
        self, ftype: GraphQLOutputType, value: Any, field: NField,
        selections: list[NSelection] | None, path: list[Any],
    ) -> Any:
        if isinstance(ftype, GraphQLNonNull):
            result = self._complete(ftype.of_type, value, field, selections, path)
            return INVALID if result is None or result is INVALID else result
        if value is None:
            return None
        if isinstance(ftype, GraphQLList):
            if not isinstance(value, list):
                self._value_error(f"Expected a list for field {field.name}.", path)
                return None
            items: list[Any] = []
            item_type = ftype.of_type
            for index, item in enumerate(value):
                path.append(index)
                result = self._complete(item_type, item, field, selections, path)
                if result is INVALID:
                    path.pop()
                    return None
                path.pop()
                items.append(result)
            return items
        if isinstance(ftype, GraphQLEnumType):
            if isinstance(value, str) and value in ftype.values:
                return value
            self._value_error(f'Enum "{ftype.name}" cannot represent value: {value!r}', path)
            return None
        if selections is None:
            return value  # scalars pass through as the subgraph serialised them
        if not isinstance(value, dict):
            self._value_error(f"Expected an object for field {field.name}.", path)
            return None
        if isinstance(ftype, GraphQLObjectType):
            otype = ftype
        else:
            runtime = self.schema.get_type(value.get("__typename") or "")
            if runtime is ftype and isinstance(ftype, GraphQLInterfaceType):
                # Only an @interfaceObject answered: the implementation is unknown, but
                # interface-level fields can still be given.
                result = self._object(ftype, selections, value, path)  # type: ignore[arg-type]
                return None if result is INVALID else result
            if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(
                ftype, runtime  # type: ignore[arg-type]
            ):
                # An implementation the client cannot see (e.g. @inaccessible): nothing of it
                # can be selected, so it is returned as null.
                return None
            otype = runtime
        result = self._object(otype, selections, value, path)
        return None if result is INVALID else result

    def _value_error(self, message: str, path: list[Any]) -> None:
        self.errors.append({"message": message, "path": list(path)})
        self._error_paths.append(tuple(path))
