"""`@requires`: fields of the entity that a subgraph needs, as input, to resolve a field."""

from __future__ import annotations

from gateway.normalize.ir import NSelection
from gateway.planner.fieldsets import FieldSetParser
from gateway.supergraph.model import Supergraph


def required_by(
    sg: Supergraph, fieldsets: FieldSetParser, type_name: str, field_name: str, graph: str
) -> tuple[NSelection, ...] | None:
    info = sg.field_in(type_name, field_name, graph)
    if info is None or not info.requires:
        return None
    return fieldsets.parse(type_name, info.requires)
