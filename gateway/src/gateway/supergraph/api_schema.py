"""Derives the API schema — what clients see — from the supergraph document: federation
machinery (join/link/core specs and their directives) and `@inaccessible` elements removed."""

from __future__ import annotations

from graphql import (
    DirectiveDefinitionNode,
    DirectiveLocation,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    NamedTypeNode,
    Node,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
)

from gateway.supergraph.federation.inaccessible import is_inaccessible
from gateway.supergraph.federation.link import LinkedSpec

# Directives a client may still see in the API schema's SDL; every other type-system
# directive is federation metadata.
_KEPT_DIRECTIVES = {"deprecated", "specifiedBy", "oneOf"}
_EXECUTABLE_LOCATIONS = {
    DirectiveLocation.QUERY.name, DirectiveLocation.MUTATION.name,
    DirectiveLocation.SUBSCRIPTION.name, DirectiveLocation.FIELD.name,
    DirectiveLocation.FRAGMENT_DEFINITION.name, DirectiveLocation.FRAGMENT_SPREAD.name,
    DirectiveLocation.INLINE_FRAGMENT.name, DirectiveLocation.VARIABLE_DEFINITION.name,
}


def _spec_prefixes(specs: dict[str, LinkedSpec]) -> set[str]:
    return {f"{spec.prefix}__" for spec in specs.values()} | {"join__", "link__", "core__"}


def _strip(node: Node, **changes: object) -> Node:
    """A copy of an AST node with some attributes replaced (graphql-core nodes are mutable but
    shared with the supergraph schema, so never edit them in place)."""
    kwargs = {key: getattr(node, key) for key in node.keys}
    kwargs.update(changes)
    return type(node)(**kwargs)


def _kept_directives(node: Node) -> tuple:
    return tuple(d for d in getattr(node, "directives", None) or () if d.name.value in _KEPT_DIRECTIVES)


def build_api_schema(document: DocumentNode, specs: dict[str, LinkedSpec]) -> GraphQLSchema:
    prefixes = _spec_prefixes(specs)
    hidden_directive = specs["inaccessible"].prefix if "inaccessible" in specs else None

    def is_internal(name: str) -> bool:
        return any(name.startswith(p) for p in prefixes)

    removed_types = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode | TypeExtensionNode)
        and (is_internal(d.name.value) or is_inaccessible(d.directives, hidden_directive))
    }

    def keep_named(named: NamedTypeNode) -> bool:
        return named.name.value not in removed_types

    def clean_field(f: FieldDefinitionNode) -> FieldDefinitionNode:
        args = tuple(
            _strip(a, directives=_kept_directives(a))
            for a in f.arguments or ()
            if not is_inaccessible(a.directives, hidden_directive)
        )
        return _strip(f, arguments=args, directives=_kept_directives(f))

    definitions: list[Node] = []
    for d in document.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            definitions.append(_strip(d, directives=()))
        elif isinstance(d, DirectiveDefinitionNode):
            name = d.name.value
            executable = any(loc.value in _EXECUTABLE_LOCATIONS for loc in d.locations)
            if executable and not is_internal(name) and name not in {"link", "core"}:
                definitions.append(d)
        elif isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            if d.name.value in removed_types:
                continue
            changes: dict[str, object] = {"directives": _kept_directives(d)}
            if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode
                          | InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode):
                changes["fields"] = tuple(
                    clean_field(f) for f in d.fields or ()
                    if not is_inaccessible(f.directives, hidden_directive)
                )
                changes["interfaces"] = tuple(i for i in d.interfaces or () if keep_named(i))
            elif isinstance(d, UnionTypeDefinitionNode | UnionTypeExtensionNode):
                changes["types"] = tuple(t for t in d.types or () if keep_named(t))
            elif isinstance(d, EnumTypeDefinitionNode | EnumTypeExtensionNode):
                changes["values"] = tuple(
                    _strip(v, directives=_kept_directives(v)) for v in d.values or ()
                    if not is_inaccessible(v.directives, hidden_directive)
                )
            elif isinstance(d, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
                changes["fields"] = tuple(
                    _strip(f, directives=_kept_directives(f)) for f in d.fields or ()
                    if not is_inaccessible(f.directives, hidden_directive)
                )
            definitions.append(_strip(d, **changes))
    return build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)
