"""The selection set of one subgraph fetch, built up field by field while planning and printed
as the GraphQL text sent to the subgraph."""

from __future__ import annotations

from graphql import ArgumentNode, VariableNode, print_ast
from graphql.language import Visitor, visit


class SField:
    __slots__ = ("name", "response_key", "arguments", "args_text", "sub", "restore_key")

    def __init__(self, name: str, response_key: str, arguments: tuple[ArgumentNode, ...]):
        self.name = name
        self.response_key = response_key
        # Set when the field had to be aliased in the subgraph query (see
        # optimize/alias_conflicts.py): the key its value is moved back to on arrival.
        self.restore_key: str | None = None
        self.arguments = arguments
        self.args_text = ", ".join(print_ast(a) for a in arguments)
        self.sub: SSel | None = None


class SSel:
    """Fields keyed by response key, then inline fragments keyed by type condition."""

    __slots__ = ("fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, SField] = {}
        self.fragments: dict[str, SSel] = {}

    def add_field(
        self, name: str, response_key: str, arguments: tuple[ArgumentNode, ...], composite: bool
    ) -> SField:
        existing = self.fields.get(response_key)
        if existing is None:
            existing = self.fields[response_key] = SField(name, response_key, arguments)
        if composite and existing.sub is None:
            existing.sub = SSel()
        return existing

    def add_typename(self) -> None:
        if "__typename" not in self.fields:
            self.fields["__typename"] = SField("__typename", "__typename", ())

    def fragment(self, type_condition: str) -> SSel:
        sel = self.fragments.get(type_condition)
        if sel is None:
            sel = self.fragments[type_condition] = SSel()
        return sel

    def is_empty(self) -> bool:
        return not self.fields and not any(not f.is_empty() for f in self.fragments.values())

    def print(self, indent: int = 0) -> str:
        return "{" + self._body(indent + 1) + "\n" + "  " * indent + "}"

    def _body(self, depth: int) -> str:
        pad = "\n" + "  " * depth
        parts: list[str] = []
        for f in self.fields.values():
            text = f.name if f.response_key == f.name else f"{f.response_key}: {f.name}"
            if f.args_text:
                text += f"({f.args_text})"
            if f.sub is not None:
                sub = f.sub if not f.sub.is_empty() else None
                text += " " + (sub.print(depth) if sub else "{\n" + "  " * (depth + 1)
                                + "__typename\n" + "  " * depth + "}")
            parts.append(pad + text)
        for cond, frag in self.fragments.items():
            if not frag.is_empty():
                parts.append(pad + f"... on {cond} " + frag.print(depth))
        return "".join(parts)

    def variables(self, found: set[str] | None = None) -> set[str]:
        found = set() if found is None else found
        for f in self.fields.values():
            for arg in f.arguments:
                visit(arg, _VariableCollector(found))
            if f.sub is not None:
                f.sub.variables(found)
        for frag in self.fragments.values():
            frag.variables(found)
        return found


class _VariableCollector(Visitor):
    def __init__(self, found: set[str]) -> None:
        super().__init__()
        self.found = found

    def enter_variable(self, node: VariableNode, *_args: object) -> None:
        self.found.add(node.name.value)
