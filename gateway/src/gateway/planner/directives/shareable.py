"""`@shareable` (and any field several subgraphs resolve): which of them to ask. The planner
prefers the subgraph that can answer most of the sub-selection itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def choose_graph(
    candidates: Sequence[str], cost: Callable[[str], int], preferred: set[str], order: list[str]
) -> str:
    return min(
        candidates,
        key=lambda g: (cost(g), g not in preferred, order.index(g) if g in order else len(order)),
    )
