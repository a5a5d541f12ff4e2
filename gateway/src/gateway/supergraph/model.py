"""The supergraph as the planner sees it: subgraphs, and for every type and field the
subgraphs that define and resolve it."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLSchema


@dataclass(frozen=True)
class Graph:
    enum_value: str
    name: str
    url: str


@dataclass
class TypeInGraph:
    """What one subgraph knows of a type (`@join__type`)."""

    graph: str
    keys: list[str] = field(default_factory=list)  # resolvable keys, as field-set strings
    unresolvable_keys: list[str] = field(default_factory=list)
    extension: bool = False
    interface_object: bool = False


@dataclass
class FieldInGraph:
    """What one subgraph says about a field (`@join__field`)."""

    graph: str
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False


@dataclass
class FieldMeta:
    name: str
    graphs: dict[str, FieldInGraph]
    annotated: bool  # carries @join__field at all

    def in_graph(self, graph: str) -> FieldInGraph | None:
        return self.graphs.get(graph)


@dataclass
class TypeMeta:
    name: str
    kind: str  # "object", "interface", "union", "enum", "input", "scalar"
    graphs: dict[str, TypeInGraph]
    fields: dict[str, FieldMeta] = field(default_factory=dict)
    implements: dict[str, set[str]] = field(default_factory=dict)  # graph -> interfaces
    union_members: dict[str, set[str]] = field(default_factory=dict)  # graph -> members
    enum_values: dict[str, set[str]] = field(default_factory=dict)  # value -> graphs
    owner: str | None = None  # join v0.1/v0.2 only


@dataclass
class Supergraph:
    graphs: dict[str, Graph]  # by subgraph name
    types: dict[str, TypeMeta]
    schema: GraphQLSchema  # everything, join internals and @inaccessible elements included
    api_schema: GraphQLSchema  # what clients see
    sdl: str
    join_version: str
    graph_order: list[str]  # subgraph names in declaration order: the planner's tie-breaker

    def type_in(self, type_name: str, graph: str) -> TypeInGraph | None:
        meta = self.types.get(type_name)
        return meta.graphs.get(graph) if meta else None

    def resolving_graphs(self, type_name: str, field_name: str) -> list[str]:
        """Subgraphs that can resolve `type.field` as an ordinary field (not external, not
        overridden away), in supergraph order."""
        meta = self.types.get(type_name)
        if meta is None:
            return []
        fmeta = meta.fields.get(field_name)
        if fmeta is None:
            return []
        if not fmeta.annotated:
            if meta.owner is not None and meta.kind == "object":
                return [meta.owner]
            return [g for g in self.graph_order if g in meta.graphs]
        return [
            g
            for g in self.graph_order
            if (f := fmeta.graphs.get(g)) is not None and not f.external and not f.used_overridden
        ]

    def defines_field(self, type_name: str, field_name: str, graph: str) -> bool:
        """The subgraph's schema has the field (external or not): it may appear in queries."""
        meta = self.types.get(type_name)
        if meta is None or graph not in meta.graphs:
            return False
        fmeta = meta.fields.get(field_name)
        if fmeta is None:
            return False
        if not fmeta.annotated:
            return True
        return graph in fmeta.graphs

    def field_in(self, type_name: str, field_name: str, graph: str) -> FieldInGraph | None:
        meta = self.types.get(type_name)
        fmeta = meta.fields.get(field_name) if meta else None
        return fmeta.graphs.get(graph) if fmeta else None

    def url_of(self, graph: str) -> str:
        return self.graphs[graph].url
