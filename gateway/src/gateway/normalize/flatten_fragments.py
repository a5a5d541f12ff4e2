"""Pass 3: resolves type conditions against the schema. A fragment that always applies is
inlined into its parent, one that can never apply is dropped, a nested object-typed fragment is
hoisted; every field learns its return type."""

from __future__ import annotations

from graphql import GraphQLObjectType, GraphQLSchema, get_named_type, is_abstract_type

from gateway.normalize.ir import NField, NFragment, NSelection


def _overlaps(schema: GraphQLSchema, a: str, b: str) -> bool:
    ta, tb = schema.get_type(a), schema.get_type(b)
    if ta is None or tb is None:
        return False
    pa = set(schema.get_possible_types(ta)) if is_abstract_type(ta) else {ta}
    pb = set(schema.get_possible_types(tb)) if is_abstract_type(tb) else {tb}
    return bool(pa & pb)


def flatten_fragments(
    selections: list[NSelection], parent: str, schema: GraphQLSchema
) -> list[NSelection]:
    parent_type = schema.get_type(parent)
    out: list[NSelection] = []
    for sel in selections:
        if isinstance(sel, NField):
            if sel.name == "__typename":
                sel.type_name = "String"
            else:
                fields = getattr(parent_type, "fields", None) or {}
                definition = fields.get(sel.name)
                if definition is not None:
                    sel.type_name = get_named_type(definition.type).name
            if sel.selections is not None and sel.type_name:
                sel.selections = flatten_fragments(sel.selections, sel.type_name, schema)
            out.append(sel)
            continue
        cond = sel.type_condition or parent
        if cond == parent or (
            isinstance(parent_type, GraphQLObjectType) and _overlaps(schema, cond, parent)
        ):
            out.extend(flatten_fragments(sel.selections, parent, schema))
        elif _overlaps(schema, cond, parent):
            inner = flatten_fragments(sel.selections, cond, schema)
            kept: list[NSelection] = []
            for item in inner:
                # `... on I { ... on A { x } }` is `... on A { x }`: A is an object type in I.
                if isinstance(item, NFragment) and isinstance(
                    schema.get_type(item.type_condition or ""), GraphQLObjectType
                ) and _overlaps(schema, item.type_condition or "", parent):
                    out.append(item)
                else:
                    kept.append(item)
            if kept:
                out.append(NFragment(type_condition=cond, selections=kept))
    return out
