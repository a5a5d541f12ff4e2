"""Builds `_entities` representations from the merged data: `__typename` (as the target
subgraph knows the type) plus the key and @requires fields, in their field names."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, is_abstract_type

from gateway.normalize.ir import NField, NFragment, NSelection
from gateway.planner.plan import EntityPart


def _applies(schema: GraphQLSchema, condition: str | None, typename: Any) -> bool:
    if condition is None or condition == typename:
        return True
    ctype = schema.get_type(condition)
    rtype = schema.get_type(typename) if isinstance(typename, str) else None
    return bool(ctype and rtype and is_abstract_type(ctype) and schema.is_sub_type(ctype, rtype))  # type: ignore[arg-type]


def project(value: Any, selections: list[NSelection], schema: GraphQLSchema) -> Any:
    if isinstance(value, list):
        return [project(v, selections, schema) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for sel in selections:
        if isinstance(sel, NField):
            if sel.response_key in value:
                child = value[sel.response_key]
                out[sel.name] = (
                    project(child, sel.selections, schema) if sel.selections else child
                )
        elif isinstance(sel, NFragment) and _applies(schema, sel.type_condition, value.get("__typename")):
            out.update(project(value, sel.selections, schema))
    return out


def representation(obj: dict[str, Any], part: EntityPart, schema: GraphQLSchema) -> dict | None:
    typename = obj.get("__typename")
    for name in part.key_names:
        if obj.get(name) is None:
            return None  # an entity without its key cannot be asked for
    rep = {"__typename": part.send_as.get(typename, part.type_condition)}
    rep.update(project(obj, part.requirements, schema))
    rep["__typename"] = part.send_as.get(typename, part.type_condition)
    return rep
