"""`@provides`: below this field, the subgraph also resolves some of its @external fields."""

from __future__ import annotations

from gateway.normalize.ir import NField, NFragment, NSelection
from gateway.planner.fieldsets import FieldSetParser
from gateway.supergraph.model import Supergraph


def provided_by_field(
    sg: Supergraph, fieldsets: FieldSetParser, parent: str, field: NField, child_type: str,
    graph: str,
) -> tuple[NSelection, ...] | None:
    info = sg.field_in(parent, field.name, graph)
    if info is None or not info.provides:
        return None
    return fieldsets.parse(child_type, info.provides)


def provided_field(provided: tuple[NSelection, ...] | None, name: str) -> NField | None:
    for item in provided or ():
        if isinstance(item, NField) and item.name == name:
            return item
    return None


def provided_for_type(
    provided: tuple[NSelection, ...] | None, type_name: str
) -> tuple[NSelection, ...] | None:
    """What stays provided when an abstract position is narrowed to one of its object types."""
    if provided is None:
        return None
    out: list[NSelection] = []
    for item in provided:
        if isinstance(item, NField):
            out.append(item)
        elif isinstance(item, NFragment) and item.type_condition == type_name:
            out.extend(item.selections)
    return tuple(out)
