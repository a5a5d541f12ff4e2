"""Reads a supergraph SDL file into the `Supergraph` model and its two schemas."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    parse,
)

from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.federation.join_enum_value import read_enum_value_graphs
from gateway.supergraph.federation.join_field import read_field_graphs
from gateway.supergraph.federation.join_graph import read_graphs
from gateway.supergraph.federation.join_implements import read_implements
from gateway.supergraph.federation.join_owner import read_owner
from gateway.supergraph.federation.join_type import read_type_graphs
from gateway.supergraph.federation.join_union_member import read_union_members
from gateway.supergraph.federation.link import SupergraphError, read_links
from gateway.supergraph.model import FieldMeta, Supergraph, TypeMeta

_KINDS = (
    ((ObjectTypeDefinitionNode, ObjectTypeExtensionNode), "object"),
    ((InterfaceTypeDefinitionNode, InterfaceTypeExtensionNode), "interface"),
    ((UnionTypeDefinitionNode, UnionTypeExtensionNode), "union"),
    ((EnumTypeDefinitionNode, EnumTypeExtensionNode), "enum"),
    ((InputObjectTypeDefinitionNode, InputObjectTypeExtensionNode), "input"),
    ((ScalarTypeDefinitionNode, ScalarTypeExtensionNode), "scalar"),
)


def _kind(node: TypeDefinitionNode | TypeExtensionNode) -> str:
    for classes, kind in _KINDS:
        if isinstance(node, classes):
            return kind
    raise SupergraphError(f"unexpected definition {node.kind}")


def parse_supergraph(sdl: str) -> Supergraph:
    try:
        document: DocumentNode = parse(sdl)
    except GraphQLError as error:
        raise SupergraphError(f"supergraph does not parse: {error.message}") from error
    specs = read_links(document)
    join = specs["join"].prefix
    graphs_by_enum = read_graphs(document, join)
    if not graphs_by_enum:
        raise SupergraphError("supergraph declares no subgraphs")
    graph_names = {enum: g.name for enum, g in graphs_by_enum.items()}

    nodes: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
    for definition in document.definitions:
        if isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            nodes.setdefault(definition.name.value, []).append(definition)

    types: dict[str, TypeMeta] = {}
    for name, defs in nodes.items():
        if name.startswith((f"{join}__", "link__", "core__")):
            continue
        meta = TypeMeta(
            name=name,
            kind=_kind(defs[0]),
            graphs=read_type_graphs(defs, join, graph_names),
            implements=read_implements(defs, join, graph_names),
            union_members=read_union_members(defs, join, graph_names),
            owner=read_owner(defs, join, graph_names),
        )
        for d in defs:
            for f in getattr(d, "fields", None) or ():
                per_graph, annotated = read_field_graphs(f, join, graph_names)
                meta.fields[f.name.value] = FieldMeta(f.name.value, per_graph, annotated)
            for v in getattr(d, "values", None) or ():
                meta.enum_values[v.name.value] = read_enum_value_graphs(v, join, graph_names)
        types[name] = meta

    try:
        schema = build_ast_schema(document, assume_valid_sdl=True)
        api_schema = build_api_schema(document, specs)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"supergraph does not build: {error}") from error
    return Supergraph(
        graphs={g.name: g for g in graphs_by_enum.values()},
        types=types,
        schema=schema,
        api_schema=api_schema,
        sdl=sdl,
        join_version=specs["join"].version,
        graph_order=[g.name for g in graphs_by_enum.values()],
    )


def load_supergraph(path: str | Path) -> Supergraph:
    return parse_supergraph(Path(path).read_text(encoding="utf-8"))
