"""The normalised operation: fields and typed inline fragments only, nothing left to resolve by
name. Every later phase (planning, response shaping) walks this, never the client's AST."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import ArgumentNode, DirectiveNode


@dataclass
class NField:
    response_key: str
    name: str
    arguments: tuple[ArgumentNode, ...] = ()
    directives: tuple[DirectiveNode, ...] = ()
    selections: list[NSelection] | None = None
    type_name: str = ""  # the field's named return type (set by the flatten pass)

    @property
    def alias(self) -> str | None:
        return self.response_key if self.response_key != self.name else None


@dataclass
class NFragment:
    type_condition: str | None
    selections: list[NSelection] = field(default_factory=list)
    directives: tuple[DirectiveNode, ...] = ()


NSelection = NField | NFragment


@dataclass
class NOperation:
    kind: str  # "query" | "mutation" | "subscription"
    name: str | None
    root_type: str
    selections: list[NSelection]
    variable_definitions: tuple  # the client's VariableDefinitionNodes, printed into fetches


def clone(selections: list[NSelection] | tuple[NSelection, ...]) -> list[NSelection]:
    """A deep copy of the selection tree (AST argument nodes are immutable here and shared):
    normalisation passes rewrite selection lists in place."""
    out: list[NSelection] = []
    for s in selections:
        if isinstance(s, NField):
            out.append(NField(
                s.response_key, s.name, s.arguments, s.directives,
                clone(s.selections) if s.selections is not None else None, s.type_name,
            ))
        else:
            out.append(NFragment(s.type_condition, clone(s.selections), s.directives))
    return out
