"""`@join__implements(graph, interface)`: in which subgraphs a type implements an interface."""

from __future__ import annotations

from graphql import TypeDefinitionNode, TypeExtensionNode

from gateway.supergraph.federation.args import directives_named


def read_implements(
    nodes: list[TypeDefinitionNode | TypeExtensionNode], prefix: str, graph_names: dict[str, str]
) -> dict[str, set[str]]:
    """Interfaces implemented, per subgraph."""
    found: dict[str, set[str]] = {}
    for node in nodes:
        for args in directives_named(node.directives, f"{prefix}__implements"):
            found.setdefault(graph_names[args["graph"]], set()).add(args["interface"])
    return found
