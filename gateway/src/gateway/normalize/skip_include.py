"""Pass 2: evaluates `@skip`/`@include` against the request's variables and drops what they
exclude, so the planner never sees a conditional selection."""

from __future__ import annotations

from typing import Any

from graphql import BooleanValueNode, DirectiveNode, VariableNode

from gateway.normalize.ir import NField, NSelection


def _condition(directive: DirectiveNode, variables: dict[str, Any]) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == "if":
            if isinstance(arg.value, BooleanValueNode):
                return arg.value.value
            if isinstance(arg.value, VariableNode):
                return bool(variables.get(arg.value.name.value))
    return False


def is_included(directives: tuple[DirectiveNode, ...], variables: dict[str, Any]) -> bool:
    for d in directives:
        name = d.name.value
        if name == "skip" and _condition(d, variables):
            return False
        if name == "include" and not _condition(d, variables):
            return False
    return True


def condition_variables(selections: list[NSelection], found: set[str] | None = None) -> set[str]:
    """Variables that decide a @skip/@include: their values are part of the plan cache key."""
    found = set() if found is None else found
    for sel in selections:
        for d in sel.directives:
            if d.name.value in ("skip", "include"):
                for arg in d.arguments or ():
                    if isinstance(arg.value, VariableNode):
                        found.add(arg.value.name.value)
        if sel.selections:
            condition_variables(sel.selections, found)
    return found


def apply_skip_include(selections: list[NSelection], variables: dict[str, Any]) -> list[NSelection]:
    out: list[NSelection] = []
    for sel in selections:
        if not is_included(sel.directives, variables):
            continue
        sel.directives = tuple(d for d in sel.directives if d.name.value not in ("skip", "include"))
        if sel.selections is not None:
            sel.selections = apply_skip_include(sel.selections, variables)
        if isinstance(sel, NField) or sel.selections:
            out.append(sel)
    return out
