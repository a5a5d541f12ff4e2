"""Reading directive arguments from the AST without a schema (the join directives' own types
are not needed to interpret them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graphql import DirectiveNode, EnumValueNode, value_from_ast_untyped


def directives_named(nodes: Iterable[DirectiveNode] | None, name: str) -> Iterator[dict[str, Any]]:
    """Each use of directive `name`, as a dict of its arguments (enum values as their names)."""
    for node in nodes or ():
        if node.name.value == name:
            yield {
                a.name.value: (
                    a.value.value if isinstance(a.value, EnumValueNode)
                    else value_from_ast_untyped(a.value)
                )
                for a in node.arguments or ()
            }


def has_directive(nodes: Iterable[DirectiveNode] | None, name: str) -> bool:
    return any(node.name.value == name for node in nodes or ())
