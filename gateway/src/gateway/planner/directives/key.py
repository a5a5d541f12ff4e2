"""`@key`: the field sets by which a subgraph can be asked for an entity (`_entities`)."""

from __future__ import annotations

from gateway.normalize.ir import NSelection
from gateway.planner.fieldsets import FieldSetParser
from gateway.supergraph.model import Supergraph


def entity_keys(
    sg: Supergraph, fieldsets: FieldSetParser, type_name: str, graph: str
) -> list[tuple[NSelection, ...]]:
    """Resolvable keys of `type_name` in `graph` (`resolvable: false` keys are not jump targets)."""
    entry = sg.type_in(type_name, graph)
    if entry is None:
        return []
    return [fieldsets.parse(type_name, key) for key in entry.keys]


def any_key_names(sg: Supergraph, type_name: str, graph: str) -> bool:
    entry = sg.type_in(type_name, graph)
    return bool(entry and (entry.keys or entry.unresolvable_keys))
