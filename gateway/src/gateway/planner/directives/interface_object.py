"""`@interfaceObject`: a subgraph that sees an interface as one object type. It knows neither
the implementations nor `__typename`, and is reached with representations typed as the
interface."""

from __future__ import annotations

from gateway.supergraph.model import Supergraph


def is_interface_object(sg: Supergraph, type_name: str, graph: str) -> bool:
    entry = sg.type_in(type_name, graph)
    return bool(entry and entry.interface_object)


def interfaces_of(sg: Supergraph, object_type: str) -> list[str]:
    t = sg.schema.get_type(object_type)
    return [i.name for i in getattr(t, "interfaces", ())]
