"""Drops entity fetches that ended up selecting nothing (every field they were created for
was planned elsewhere), re-pointing their dependents at their own dependencies."""

from __future__ import annotations

from gateway.planner.plan import FetchNode


def prune_empty(nodes: list[FetchNode]) -> list[FetchNode]:
    empty = {n for n in nodes if n.kind == "entity" and all(p.sel.is_empty() for p in n.parts)}
    if not empty:
        return nodes
    kept = [n for n in nodes if n not in empty]

    def resolve(dep: FetchNode, seen: set[FetchNode]) -> set[FetchNode]:
        if dep not in empty:
            return {dep}
        out: set[FetchNode] = set()
        for d in dep.deps:
            if d not in seen:
                seen.add(d)
                out |= resolve(d, seen)
        return out

    for node in kept:
        node.deps = set().union(*(resolve(d, set()) for d in node.deps)) if node.deps else set()
    return kept
