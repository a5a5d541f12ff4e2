"""Phase 2: normalisation — the client's operation as a tree of fields and typed fragments.

Passes, in order: inline_fragments → skip_include → flatten_fragments → merge_fields.
"""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from gateway.normalize.flatten_fragments import flatten_fragments
from gateway.normalize.inline_fragments import inline_fragments
from gateway.normalize.ir import NField, NFragment, NOperation, NSelection
from gateway.normalize.merge_fields import merge_fields
from gateway.normalize.skip_include import apply_skip_include, condition_variables

__all__ = [
    "NField", "NFragment", "NOperation", "NSelection", "condition_variables", "find_operation",
    "normalize", "normalize_selection_set",
]


class OperationNotFound(ValueError):
    pass


def find_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        for op in operations:
            if op.name and op.name.value == name:
                return op
        raise OperationNotFound(f'Unknown operation named "{name}".')
    if len(operations) != 1:
        raise OperationNotFound("Must provide operation name if query contains multiple operations.")
    return operations[0]


def normalize(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    variables: dict[str, Any],
) -> NOperation:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    kind = operation.operation.value
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise OperationNotFound(f"Schema is not configured for {kind}s.")
    selections = inline_fragments(operation.selection_set, fragments)
    selections = apply_skip_include(selections, variables)
    selections = normalize_selection_set(selections, root.name, schema)
    return NOperation(
        kind=kind,
        name=operation.name.value if operation.name else None,
        root_type=root.name,
        selections=selections,
        variable_definitions=tuple(operation.variable_definitions or ()),
    )


def normalize_selection_set(
    selections: list[NSelection], parent: str, schema: GraphQLSchema
) -> list[NSelection]:
    return merge_fields(flatten_fragments(selections, parent, schema))
