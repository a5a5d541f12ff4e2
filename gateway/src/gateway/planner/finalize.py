"""Prints each fetch's GraphQL operation once, at planning time, so executing a cached plan
never touches an AST."""

from __future__ import annotations

from graphql import print_ast

from gateway.normalize.ir import NOperation
from gateway.planner.plan import FetchNode


def _variable_definitions(op: NOperation, names: set[str], extra: str = "") -> str:
    defs = [extra] if extra else []
    defs += [print_ast(vd) for vd in op.variable_definitions if vd.variable.name.value in names]
    return "(" + ", ".join(defs) + ")" if defs else ""


def finalize_node(node: FetchNode, op: NOperation) -> None:
    if node.kind == "root":
        names = node.root_sel.variables()
        header = node.operation + _variable_definitions(op, names)
        node.query = f"{header} {node.root_sel.print()}"
    else:
        names = set()
        bodies = []
        for part in node.parts:
            part.sel.variables(names)
            if not part.sel.is_empty():
                bodies.append(f"    ... on {part.type_condition} " + part.sel.print(2))
        if not bodies:
            bodies.append("    __typename")
        header = "query" + _variable_definitions(op, names, "$representations: [_Any!]!")
        node.entity_selection = "\n".join(bodies)
        node.variable_definitions = tuple(
            print_ast(vd) for vd in op.variable_definitions if vd.variable.name.value in names
        )
        node.query = (
            f"{header} {{\n  _entities(representations: $representations) {{\n"
            + node.entity_selection + "\n  }\n}"
        )
    node.variable_names = tuple(sorted(names))
