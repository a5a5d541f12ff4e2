"""`@join__owner(graph)` (join v0.1/v0.2, fed1 composition): the subgraph that owns an entity's
unannotated fields."""

from __future__ import annotations

from graphql import TypeDefinitionNode, TypeExtensionNode

from gateway.supergraph.federation.args import directives_named


def read_owner(
    nodes: list[TypeDefinitionNode | TypeExtensionNode], prefix: str, graph_names: dict[str, str]
) -> str | None:
    for node in nodes:
        for args in directives_named(node.directives, f"{prefix}__owner"):
            return graph_names[args["graph"]]
    return None
