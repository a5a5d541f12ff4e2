"""Moves values of fields the planner aliased (optimize/alias_conflicts.py) back to the keys
the rest of the plan and the response shaper expect."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, is_abstract_type

from gateway.planner.selection import SSel


def _applies(schema: GraphQLSchema, condition: str, typename: Any) -> bool:
    if condition == typename:
        return True
    ctype = schema.get_type(condition)
    rtype = schema.get_type(typename) if isinstance(typename, str) else None
    return bool(ctype and rtype and is_abstract_type(ctype) and schema.is_sub_type(ctype, rtype))  # type: ignore[arg-type]


def restore_aliases(value: Any, sel: SSel, schema: GraphQLSchema) -> None:
    if isinstance(value, list):
        for item in value:
            restore_aliases(item, sel, schema)
        return
    if not isinstance(value, dict):
        return
    for f in sel.fields.values():
        key = f.response_key
        if f.restore_key is not None and key in value:
            value[f.restore_key] = value.pop(key)
            key = f.restore_key
        if f.sub is not None and value.get(key) is not None:
            restore_aliases(value[key], f.sub, schema)
    for condition, fragment in sel.fragments.items():
        if _applies(schema, condition, value.get("__typename")):
            restore_aliases(value, fragment, schema)
