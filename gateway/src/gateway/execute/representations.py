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


def _flat(part: EntityPart) -> tuple[tuple[str, str], ...]:
    """The requirements as (response key, field name) pairs when all are scalar fields without
    sub-selections (the usual `@key(fields: "id")` / `@requires(fields: "price weight")`):
    those representations are built without the recursive `project`. Computed once per part
    of a cached plan; a fetch makes one representation per entity it reaches, hundreds per
    request for nested queries."""
    flat = part.flat_requirements
    if flat is None:
        pairs = []
        for sel in part.requirements:
            if not isinstance(sel, NField) or sel.selections:
                pairs = []
                break
            pairs.append((sel.response_key, sel.name))
        flat = part.flat_requirements = tuple(pairs)
    return flat


def representation(obj: dict[str, Any], part: EntityPart, schema: GraphQLSchema) -> dict | None:
    typename = obj.get("__typename")
    for name in part.key_names:
        if obj.get(name) is None:
            return None  # an entity without its key cannot be asked for
    sent = part.send_as.get(typename, part.type_condition)
    rep = {"__typename": sent}
    flat = _flat(part)
    if flat:
        for key, name in flat:
            if key in obj:
                rep[name] = obj[key]
    else:
        rep.update(project(obj, part.requirements, schema))
    rep["__typename"] = sent
    return rep


_MISSING = object()


def dedupe_key(obj: dict[str, Any], part: EntityPart) -> tuple | None:
    """For parts with flat requirements: a hashable identity of the representation `obj` would
    give, without building it (most objects a fetch reaches are entities already seen in this
    request: the heavy benchmark query reaches ~260 objects for ~30 distinct entities). None
    when the part is not flat or a key is missing (then `representation` decides).
    Keyed by the part's requirement tuple identity, so equal representations of two different
    parts are merely asked twice, never confused."""
    flat = _flat(part)
    if not flat:
        return None
    for name in part.key_names:
        if obj.get(name) is None:
            return None
    typename = obj.get("__typename")
    return (id(flat), part.send_as.get(typename, part.type_condition),
            *[obj.get(key, _MISSING) for key, _name in flat])
