"""Pass 1: client AST to IR, every named fragment spread replaced by an inline fragment."""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from gateway.normalize.ir import NField, NFragment, NSelection


def inline_fragments(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> list[NSelection]:
    out: list[NSelection] = []
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            out.append(NField(
                response_key=node.alias.value if node.alias else node.name.value,
                name=node.name.value,
                arguments=tuple(node.arguments or ()),
                directives=tuple(node.directives or ()),
                selections=inline_fragments(node.selection_set, fragments)
                if node.selection_set else None,
            ))
        elif isinstance(node, InlineFragmentNode):
            out.append(NFragment(
                type_condition=node.type_condition.name.value if node.type_condition else None,
                selections=inline_fragments(node.selection_set, fragments),
                directives=tuple(node.directives or ()),
            ))
        elif isinstance(node, FragmentSpreadNode):
            # Validation (NoUnusedFragments, KnownFragmentNames, NoFragmentCycles) ran before.
            definition = fragments[node.name.value]
            out.append(NFragment(
                type_condition=definition.type_condition.name.value,
                selections=inline_fragments(definition.selection_set, fragments),
                directives=tuple(node.directives or ()),
            ))
    return out
