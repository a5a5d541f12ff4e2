"""`@join__graph(name, url)` on the values of `enum join__Graph`: the subgraphs and their URLs."""

from __future__ import annotations

from graphql import DocumentNode, EnumTypeDefinitionNode

from gateway.supergraph.federation.args import directives_named
from gateway.supergraph.model import Graph


def read_graphs(document: DocumentNode, prefix: str) -> dict[str, Graph]:
    """Subgraphs keyed by their enum value (the name every other join directive uses)."""
    graphs: dict[str, Graph] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == f"{prefix}__Graph":
            for value in definition.values or ():
                for args in directives_named(value.directives, f"{prefix}__graph"):
                    graphs[value.name.value] = Graph(
                        enum_value=value.name.value, name=args["name"], url=args["url"]
                    )
    return graphs
