"""The query plan: fetch nodes (one subgraph request each) and the dependencies between them,
printable as text so plans can be read and snapshot-tested."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import print_ast

from gateway.normalize.ir import NField, NFragment, NOperation, NSelection
from gateway.planner.selection import SSel


@dataclass(eq=False)
class EntityPart:
    """Objects of `match_types` found at the fetch's path become representations of
    `type_condition` (the type as the target subgraph knows it)."""

    type_condition: str
    match_types: frozenset[str]
    requirements: list[NSelection]  # data keys are response keys; output names are field names
    sel: SSel = field(default_factory=SSel)
    send_as: dict[str, str] = field(default_factory=dict)  # runtime __typename -> sent __typename
    key_names: frozenset[str] = frozenset()  # a representation missing one of these is not sent
    # (response key, field name) pairs when every requirement is a plain scalar field, worked
    # out on first use by execute/representations.py (its fast path); () when not applicable.
    flat_requirements: tuple[tuple[str, str], ...] | None = field(
        default=None, repr=False, compare=False
    )


@dataclass(eq=False)
class FetchNode:
    id: int
    graph: str
    kind: str  # "root" | "entity"
    operation: str = "query"  # "query" | "mutation"
    path: tuple[str, ...] = ()  # where an entity fetch finds its objects ("@" = every list item)
    root_sel: SSel = field(default_factory=SSel)
    parts: list[EntityPart] = field(default_factory=list)
    deps: set[FetchNode] = field(default_factory=set)
    # Filled in by `finalize`:
    query: str = ""
    variable_names: tuple[str, ...] = ()
    level: int = 0
    has_aliases: bool = False  # some fields were aliased: restore keys on arrival
    # An entity fetch's pieces, so the executor can send several fetches of one level to one
    # subgraph as one request (execute/batching.py): the selection inside `_entities`, and the
    # printed definitions of the client variables it uses.
    entity_selection: str = ""
    variable_definitions: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return self.id

    def ancestors(self) -> set[FetchNode]:
        seen: set[FetchNode] = set()
        stack = list(self.deps)
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(node.deps)
        return seen

    def part_for(self, type_condition: str, match_types: frozenset[str]) -> EntityPart:
        for part in self.parts:
            if part.type_condition == type_condition and part.match_types == match_types:
                return part
        part = EntityPart(type_condition, match_types, [])
        self.parts.append(part)
        return part


@dataclass
class QueryPlan:
    operation: NOperation
    nodes: list[FetchNode]  # topologically ordered after `finalize`
    introspection: list[NField]  # root __schema/__type fields, answered by the gateway
    # The response shaping tables compiled from `operation` on first use
    # (execute/fast_shape.py); kept here so they live exactly as long as the cached plan.
    compiled_shape: Any = field(default=None, repr=False, compare=False)
    # The executor's batches of fetches and their merged queries (execute/batching.py).
    batching: Any = field(default=None, repr=False, compare=False)

    def print(self) -> str:
        return print_plan(self)


def _print_requirements(sels: list[NSelection], depth: int) -> str:
    pad = "  " * depth
    lines: list[str] = []
    for s in sels:
        if isinstance(s, NField):
            head = s.name if s.response_key == s.name else f"{s.response_key}: {s.name}"
            if s.arguments:
                head += "(" + ", ".join(print_ast(a) for a in s.arguments) + ")"
            if s.selections is not None:
                lines.append(f"{pad}{head} {{\n{_print_requirements(s.selections, depth + 1)}\n{pad}}}")
            else:
                lines.append(pad + head)
        elif isinstance(s, NFragment):
            lines.append(f"{pad}... on {s.type_condition} {{\n"
                         f"{_print_requirements(s.selections, depth + 1)}\n{pad}}}")
    return "\n".join(lines)


def _print_node(node: FetchNode, depth: int) -> str:
    pad = "  " * depth
    after = ", ".join(str(d.id) for d in sorted(node.deps, key=lambda d: d.id))
    head = f'Fetch(service: "{node.graph}", id: {node.id}'
    head += f", after: [{after}])" if after else ")"
    if node.kind == "root":
        body = "\n".join(pad + "  " + line for line in
                         (node.operation + " " + node.root_sel.print()).splitlines())
        return f"{pad}{head} {{\n{body}\n{pad}}}"
    path = ".".join(node.path)
    lines = [f'{pad}Flatten(path: "{path}") {{', f"{pad}  {head} {{"]
    for part in node.parts:
        lines.append(f"{pad}    ... on {part.type_condition} "
                     f"[{', '.join(sorted(part.match_types))}] {{")
        lines.append(_print_requirements(part.requirements, depth + 3))
        lines.append(f"{pad}    }} =>")
        lines.extend(pad + "    " + line for line in part.sel.print().splitlines())
    lines.append(f"{pad}  }}")
    lines.append(f"{pad}}}")
    return "\n".join(lines)


def print_plan(plan: QueryPlan) -> str:
    lines = ["QueryPlan {"]
    if plan.introspection:
        lines.append("  Introspection(" + ", ".join(f.response_key for f in plan.introspection) + ")")
    levels: dict[int, list[FetchNode]] = {}
    for node in plan.nodes:
        levels.setdefault(node.level, []).append(node)
    if len(levels) > 1:
        lines.append("  Sequence {")
    for level in sorted(levels):
        nodes = levels[level]
        depth = 2 if len(levels) > 1 else 1
        if len(nodes) > 1:
            lines.append("  " * depth + "Parallel {")
            depth += 1
        lines.extend(_print_node(n, depth) for n in nodes)
        if len(nodes) > 1:
            lines.append("  " * (depth - 1) + "}")
    if len(levels) > 1:
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)
