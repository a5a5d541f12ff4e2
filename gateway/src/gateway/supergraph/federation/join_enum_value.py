"""`@join__enumValue(graph)`: which subgraphs know an enum value."""

from __future__ import annotations

from graphql import EnumValueDefinitionNode

from gateway.supergraph.federation.args import directives_named


def read_enum_value_graphs(
    node: EnumValueDefinitionNode, prefix: str, graph_names: dict[str, str]
) -> set[str]:
    return {graph_names[a["graph"]] for a in directives_named(node.directives, f"{prefix}__enumValue")}
