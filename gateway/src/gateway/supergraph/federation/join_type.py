"""`@join__type(graph, key, extension, resolvable, isInterfaceObject)`: which subgraphs define a
type, under which entity keys, and whether a subgraph sees an interface as an object."""

from __future__ import annotations

from graphql import TypeDefinitionNode, TypeExtensionNode

from gateway.supergraph.federation.args import directives_named
from gateway.supergraph.model import TypeInGraph


def read_type_graphs(
    nodes: list[TypeDefinitionNode | TypeExtensionNode], prefix: str, graph_names: dict[str, str]
) -> dict[str, TypeInGraph]:
    graphs: dict[str, TypeInGraph] = {}
    for node in nodes:
        for args in directives_named(node.directives, f"{prefix}__type"):
            graph = graph_names[args["graph"]]
            entry = graphs.setdefault(graph, TypeInGraph(graph=graph))
            entry.extension = entry.extension or bool(args.get("extension", False))
            entry.interface_object = entry.interface_object or bool(
                args.get("isInterfaceObject", False)
            )
            key = args.get("key")
            if key:
                # A type keyed several times in one subgraph repeats the directive.
                if args.get("resolvable", True):
                    entry.keys.append(key)
                else:
                    entry.unresolvable_keys.append(key)
    return graphs
