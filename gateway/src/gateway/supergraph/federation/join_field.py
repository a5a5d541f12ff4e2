"""`@join__field(graph, requires, provides, type, external, override, usedOverridden)`: which
subgraphs resolve a field, and on what conditions."""

from __future__ import annotations

from graphql import FieldDefinitionNode, InputValueDefinitionNode

from gateway.supergraph.federation.args import directives_named
from gateway.supergraph.model import FieldInGraph


def read_field_graphs(
    node: FieldDefinitionNode | InputValueDefinitionNode, prefix: str, graph_names: dict[str, str]
) -> tuple[dict[str, FieldInGraph], bool]:
    """The per-subgraph facts, and whether the field carries any @join__field at all (a field
    with none is resolvable wherever its parent type is defined)."""
    graphs: dict[str, FieldInGraph] = {}
    annotated = False
    for args in directives_named(node.directives, f"{prefix}__field"):
        annotated = True
        graph_enum = args.get("graph")
        if graph_enum is None:
            # `@join__field` with no graph: no subgraph defines the field on this type; it
            # comes from an @interfaceObject of one of the type's interfaces.
            continue
        graph = graph_names[graph_enum]
        graphs[graph] = FieldInGraph(
            graph=graph,
            requires=args.get("requires") or None,
            provides=args.get("provides") or None,
            type=args.get("type"),
            external=bool(args.get("external", False)),
            override=args.get("override"),
            used_overridden=bool(args.get("usedOverridden", False)),
        )
    return graphs, annotated
