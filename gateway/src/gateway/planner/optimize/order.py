"""Orders fetches so each comes after those it waits for, and numbers the plan's levels
(a level's fetches can all run at once)."""

from __future__ import annotations

from gateway.planner.plan import FetchNode


def topological_order(nodes: list[FetchNode]) -> list[FetchNode]:
    ordered: list[FetchNode] = []
    placed: set[FetchNode] = set()
    remaining = list(nodes)
    while remaining:
        ready = [n for n in remaining if n.deps <= placed]
        if not ready:
            raise ValueError("query plan has a dependency cycle")
        for n in ready:
            n.level = 1 + max((d.level for d in n.deps), default=-1)
            placed.add(n)
            ordered.append(n)
        remaining = [n for n in remaining if n not in placed]
    for index, node in enumerate(ordered):
        node.id = index
    return ordered
