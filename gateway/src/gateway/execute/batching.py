"""One request per subgraph and plan level: the entity fetches of one level that go to the same
subgraph are sent together, each as an aliased `_entities` field of one operation
(`_0: _entities(representations: $representations0) { ... }`).

Why: a nested query reaches the same subgraph from several places at once (the benchmark's
heavy query: three `products`, two `accounts` and three `inventory` fetches in two levels); every
subgraph request costs the gateway a write, a read, JSON both ways and a task. Fetches of one
level never wait for each other (optimize/order.py), so a batch starts when all its members'
dependencies are done, as a level would.

The batches and their operations are worked out once per cached plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.planner.plan import FetchNode, QueryPlan


def representations_variable(index: int) -> str:
    return f"representations{index}"


@dataclass
class Batching:
    groups: list[list[FetchNode]]
    _queries: dict[tuple[int, ...], str] = field(default_factory=dict)

    def query(self, members: list[FetchNode]) -> str:
        """The operation asking `members` (those of a batch that have representations)."""
        key = tuple(n.id for n in members)
        query = self._queries.get(key)
        if query is None:
            query = self._queries[key] = _print(members)
        return query


def batching(plan: QueryPlan) -> Batching:
    cached = plan.batching
    if cached is None:
        cached = plan.batching = Batching(_groups(plan.nodes))
    return cached


def _groups(nodes: list[FetchNode]) -> list[list[FetchNode]]:
    groups: list[list[FetchNode]] = []
    by_key: dict[tuple[int, str], list[FetchNode]] = {}
    for node in nodes:
        if _batchable(node, len(nodes)):
            key = (node.level, node.graph)
            group = by_key.get(key)
            if group is not None:
                group.append(node)
                continue
            group = by_key[key] = [node]
        else:
            group = [node]
        groups.append(group)
    return groups


def _batchable(node: FetchNode, count: int) -> bool:
    if node.kind != "entity" or node.operation != "query" or not node.entity_selection:
        return False
    # Our variable names must not collide with the client's.
    return not any(
        name.startswith("representations") and name[15:].isdigit() and int(name[15:]) < count
        for name in node.variable_names
    )


def _print(members: list[FetchNode]) -> str:
    definitions = [f"${representations_variable(i)}: [_Any!]!" for i in range(len(members))]
    seen: set[str] = set()
    for node in members:
        for definition in node.variable_definitions:
            if definition not in seen:
                seen.add(definition)
                definitions.append(definition)
    fields = [
        f"  _{i}: _entities(representations: ${representations_variable(i)}) {{\n"
        f"{node.entity_selection}\n  }}"
        for i, node in enumerate(members)
    ]
    return f"query({', '.join(definitions)}) {{\n" + "\n".join(fields) + "\n}"
