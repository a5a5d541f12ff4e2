"""`@override`: a field moved from one subgraph to another; the old one no longer resolves it
(`usedOverridden` marks a copy kept only because a key or @requires still names it)."""

from __future__ import annotations

from gateway.supergraph.model import Supergraph


def is_overridden(sg: Supergraph, type_name: str, field_name: str, graph: str) -> bool:
    info = sg.field_in(type_name, field_name, graph)
    if info is not None and info.used_overridden:
        return True
    meta = sg.types.get(type_name)
    fmeta = meta.fields.get(field_name) if meta else None
    if fmeta is None:
        return False
    # An overriding subgraph names the overridden one; the overridden one may be absent or
    # listed without `usedOverridden` in older compositions.
    return any(f.override == graph for g, f in fmeta.graphs.items() if g != graph)
