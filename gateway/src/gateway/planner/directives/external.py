"""`@external`: a field a subgraph declares but does not resolve (unless a `@provides` on the
path says it does)."""

from __future__ import annotations

from gateway.supergraph.model import Supergraph


def is_external(sg: Supergraph, type_name: str, field_name: str, graph: str) -> bool:
    info = sg.field_in(type_name, field_name, graph)
    return bool(info and info.external)
