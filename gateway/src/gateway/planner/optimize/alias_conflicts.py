"""Aliases fields that would make a subgraph reject its own query: the same response key in
sibling fragments with types of different shapes in that subgraph (e.g. `ID` on one type,
`ID!` on another — valid in the supergraph, a FieldsInSetCanMerge error in the subgraph).
The executor moves the values back to their keys when the response arrives."""

from __future__ import annotations

from graphql import GraphQLList, GraphQLNonNull, GraphQLSchema, is_leaf_type

from gateway.planner.plan import FetchNode
from gateway.planner.selection import SField, SSel
from gateway.supergraph.model import Supergraph


def _shape(sg: Supergraph, graph: str, parent: str, field: SField) -> str:
    """The field's type in this subgraph, composite types collapsed: what SameResponseShape
    compares."""
    if field.name == "__typename":
        return "String!"
    info = sg.field_in(parent, field.name, graph)
    t = sg.schema.get_type(parent)
    definition = getattr(t, "fields", {}).get(field.name) if t is not None else None
    if info is not None and info.type:
        text = info.type
        named = text.strip("[]!")
        named_type = sg.schema.get_type(named)
        return text if named_type is not None and is_leaf_type(named_type) else text.replace(named, "@")
    if definition is None:
        return "?"
    return _type_text(definition.type)


def _type_text(t: object) -> str:
    if isinstance(t, GraphQLNonNull):
        return _type_text(t.of_type) + "!"
    if isinstance(t, GraphQLList):
        return "[" + _type_text(t.of_type) + "]"
    return t.name if is_leaf_type(t) else "@"  # type: ignore[attr-defined]


def _child_type(schema: GraphQLSchema, parent: str, name: str) -> str | None:
    t = schema.get_type(parent)
    definition = getattr(t, "fields", {}).get(name) if t is not None else None
    if definition is None:
        return None
    ftype = definition.type
    while isinstance(ftype, GraphQLNonNull | GraphQLList):
        ftype = ftype.of_type
    return ftype.name


def _collect(sel: SSel, parent: str, out: list[tuple[SField, str]]) -> None:
    for f in sel.fields.values():
        out.append((f, parent))
    for cond, frag in sel.fragments.items():
        _collect(frag, cond, out)


def _resolve(sg: Supergraph, graph: str, positions: list[tuple[SSel, str]]) -> bool:
    """`positions` are selection sets the subgraph merges into one response object."""
    fields: list[tuple[SField, str]] = []
    for sel, parent in positions:
        _collect(sel, parent, fields)
    by_key: dict[str, list[tuple[SField, str]]] = {}
    for f, parent in fields:
        by_key.setdefault(f.response_key, []).append((f, parent))
    changed = False
    for key, group in by_key.items():
        first_shape = _shape(sg, graph, group[0][1], group[0][0])
        kept: list[tuple[SField, str]] = []
        for f, parent in group:
            if _shape(sg, graph, parent, f) != first_shape and f.restore_key is None:
                f.restore_key = key
                f.response_key = f"{key}__{parent}"
                changed = True
            else:
                kept.append((f, parent))
        subs = [
            (f.sub, child) for f, parent in kept
            if f.sub is not None and (child := _child_type(sg.schema, parent, f.name))
        ]
        if subs and _resolve(sg, graph, subs):
            changed = True
        for f, parent in group:
            if f.restore_key is not None and f.sub is not None:
                child = _child_type(sg.schema, parent, f.name)
                if child and _resolve(sg, graph, [(f.sub, child)]):
                    changed = True
    return changed


def _rekey(sel: SSel) -> None:
    sel.fields = {f.response_key: f for f in sel.fields.values()}
    for f in sel.fields.values():
        if f.sub is not None:
            _rekey(f.sub)
    for frag in sel.fragments.values():
        _rekey(frag)


def alias_conflicts(sg: Supergraph, node: FetchNode, root_type: str) -> bool:
    """Returns whether any field was aliased (the executor then restores keys)."""
    if node.kind == "root":
        positions = [(node.root_sel, root_type)]
    else:
        positions = [(part.sel, part.type_condition) for part in node.parts]
    changed = _resolve(sg, node.graph, positions)
    if changed:
        for sel, _ in positions:
            _rekey(sel)
    return changed
