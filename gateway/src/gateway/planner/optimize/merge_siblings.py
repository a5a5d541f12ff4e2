"""Merges entity fetches to the same subgraph at the same path that wait for exactly the same
fetches: one `_entities` request instead of several."""

from __future__ import annotations

from gateway.planner.plan import FetchNode


def merge_siblings(nodes: list[FetchNode]) -> list[FetchNode]:
    kept: list[FetchNode] = []
    by_key: dict[tuple, FetchNode] = {}
    replaced: dict[FetchNode, FetchNode] = {}
    for node in nodes:
        if node.kind != "entity":
            kept.append(node)
            continue
        key = (node.graph, node.path, frozenset(replaced.get(d, d) for d in node.deps))
        target = by_key.get(key)
        if target is not None and {p.type_condition for p in target.parts} & {
            p.type_condition for p in node.parts
        }:
            # Two fragments on one type in one request would each apply to every
            # representation (e.g. @requires with different arguments): keep them apart.
            kept.append(node)
            continue
        if target is None:
            by_key[key] = node
            kept.append(node)
        else:
            target.parts.extend(node.parts)
            replaced[node] = target
    for node in kept:
        node.deps = {replaced.get(d, d) for d in node.deps}
    return kept
