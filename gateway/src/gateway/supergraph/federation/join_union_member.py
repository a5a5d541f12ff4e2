"""`@join__unionMember(graph, member)`: which members a union has in each subgraph."""

from __future__ import annotations

from graphql import TypeDefinitionNode, TypeExtensionNode

from gateway.supergraph.federation.args import directives_named


def read_union_members(
    nodes: list[TypeDefinitionNode | TypeExtensionNode], prefix: str, graph_names: dict[str, str]
) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in nodes:
        for args in directives_named(node.directives, f"{prefix}__unionMember"):
            found.setdefault(graph_names[args["graph"]], set()).add(args["member"])
    return found
