"""Request limits checked on the parsed document before validation and planning: depth,
aliases and tokens (the body size is checked by the HTTP layer before parsing)."""

from __future__ import annotations

from contextvars import ContextVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.language.lexer import Lexer
from graphql.language.source import Source
from graphql.language.token_kind import TokenKind

from gateway.errors import RequestError

# Per-check memo of fragment results: a fragment spread many times (a "fragment bomb") is
# measured once, so checking stays linear in the document's size.
_memo: ContextVar[dict[tuple[str, str], int]] = ContextVar("limits_memo")


def count_tokens(query: str, limit: int) -> int:
    """Lexes the document, stopping as soon as it passes `limit` (so a huge document costs no
    more than the limit)."""
    lexer = Lexer(Source(query))
    count = 0
    while True:
        token = lexer.advance()
        if token.kind == TokenKind.EOF:
            return count
        count += 1
        if count > limit:
            return count


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    visiting: frozenset[str],
) -> int:
    deepest = 0
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            if sel.selection_set is not None:
                deepest = max(deepest, 1 + _depth(sel.selection_set, fragments, visiting))
            else:
                deepest = max(deepest, 1)
        elif isinstance(sel, InlineFragmentNode):
            deepest = max(deepest, _depth(sel.selection_set, fragments, visiting))
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in fragments and name not in visiting:
                key = ("depth", name)
                if key not in _memo.get():
                    _memo.get()[key] = _depth(
                        fragments[name].selection_set, fragments, visiting | {name}
                    )
                deepest = max(deepest, _memo.get()[key])
    return deepest


def _aliases(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode],
    visiting: frozenset[str],
) -> int:
    total = 0
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            total += 1 if sel.alias else 0
            total += _aliases(sel.selection_set, fragments, visiting)
        elif isinstance(sel, InlineFragmentNode):
            total += _aliases(sel.selection_set, fragments, visiting)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in fragments and name not in visiting:
                key = ("aliases", name)
                if key not in _memo.get():
                    _memo.get()[key] = _aliases(
                        fragments[name].selection_set, fragments, visiting | {name}
                    )
                total += _memo.get()[key]
    return total


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode],
    visiting: frozenset[str],
) -> int:
    """Fields once every fragment is expanded: what normalisation would build."""
    total = 0
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            total += 1 + _fields(sel.selection_set, fragments, visiting)
        elif isinstance(sel, InlineFragmentNode):
            total += _fields(sel.selection_set, fragments, visiting)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name in fragments and name not in visiting:
                key = ("fields", name)
                if key not in _memo.get():
                    _memo.get()[key] = _fields(
                        fragments[name].selection_set, fragments, visiting | {name}
                    )
                total += _memo.get()[key]
    return total


def check_tokens(query: str, max_tokens: int) -> None:
    if count_tokens(query, max_tokens) > max_tokens:
        raise RequestError(
            f"Document has more than {max_tokens} tokens.", "TOKEN_LIMIT_EXCEEDED"
        )


def check_document(
    document: DocumentNode, max_depth: int, max_aliases: int, max_fields: int = 20_000
) -> None:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    _memo.set({})
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        depth = _depth(definition.selection_set, fragments, frozenset())
        if depth > max_depth:
            raise RequestError(
                f"Operation depth {depth} exceeds the maximum of {max_depth}.",
                "DEPTH_LIMIT_EXCEEDED",
            )
        fields = _fields(definition.selection_set, fragments, frozenset())
        if fields > max_fields:
            # Fragments spread inside fragments multiply: a short document can expand to
            # millions of fields ("fragment bomb").
            raise RequestError(
                f"Operation expands to {fields} fields; the maximum is {max_fields}.",
                "COMPLEXITY_LIMIT_EXCEEDED",
            )
        aliases = _aliases(definition.selection_set, fragments, frozenset())
        if aliases > max_aliases:
            raise RequestError(
                f"Operation uses {aliases} aliases; the maximum is {max_aliases}.",
                "ALIAS_LIMIT_EXCEEDED",
            )
