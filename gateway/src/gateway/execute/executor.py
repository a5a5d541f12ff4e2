"""Runs a query plan: every fetch starts as soon as the fetches it waits for are done, so
independent fetches run in parallel and dependent ones in sequence."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import GraphQLSchema

from gateway.execute.aliases import restore_aliases
from gateway.execute.batching import batching, representations_variable
from gateway.execute.fetcher import SubgraphClient, SubgraphError
from gateway.execute.merge import deep_merge, objects_at, path_of
from gateway.execute.representations import dedupe_key, representation
from gateway.planner.plan import EntityPart, FetchNode, QueryPlan

Call = Callable[[dict[str, str]], Awaitable[dict[str, Any]]]
# Wraps one subgraph request (tracing and metrics hook in here, and may add headers such as
# `traceparent`); by default it just makes the call.
FetchHook = Callable[[FetchNode, dict[str, str], Call], Awaitable[dict[str, Any]]]


class _Entities:
    """One entity fetch's representations, the objects each answer merges into, and the part
    (type condition) each came from."""

    __slots__ = ("node", "parts", "representations", "targets")

    def __init__(self, node: FetchNode) -> None:
        self.node = node
        self.representations: list[dict[str, Any]] = []
        self.targets: list[list[dict[str, Any]]] = []
        self.parts: list[EntityPart] = []


async def _no_hook(_node: FetchNode, headers: dict[str, str], call: Call) -> dict[str, Any]:
    return await call(headers)


class Execution:
    """The state of one request's plan execution."""

    def __init__(
        self,
        plan: QueryPlan,
        schema: GraphQLSchema,
        concrete: frozenset[str],
        client: SubgraphClient,
        variables: Mapping[str, Any],
        headers: Mapping[str, str],
        hook: FetchHook = _no_hook,
    ) -> None:
        self.plan = plan
        self.schema = schema
        self.concrete = concrete
        self.client = client
        self.variables = variables
        self.headers = headers
        self.hook = hook
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []

    async def run(self) -> None:
        nodes = self.plan.nodes
        if not nodes:
            return
        if len(nodes) == 1:
            await self._run_node(nodes[0])
            return
        done: dict[int, asyncio.Future[None]] = {}
        loop = asyncio.get_running_loop()
        for node in nodes:
            done[node.id] = loop.create_future()

        async def run_when_ready(group: list[FetchNode]) -> None:
            try:
                for node in group:
                    for dep in node.deps:
                        await done[dep.id]
                if len(group) == 1:
                    await self._run_node(group[0])
                else:
                    await self._run_batch(group)
            finally:
                for node in group:
                    done[node.id].set_result(None)

        await asyncio.gather(*(run_when_ready(g) for g in batching(self.plan).groups))

    def _variables_for(self, node: FetchNode) -> dict[str, Any]:
        return {n: self.variables[n] for n in node.variable_names if n in self.variables}

    async def _run_node(self, node: FetchNode) -> None:
        if node.kind == "root":
            await self._run_root(node)
        else:
            await self._run_entities(node)

    async def _call(
        self, node: FetchNode, payload: dict[str, Any], for_nodes: int = 1
    ) -> dict[str, Any] | None:
        """The subgraph's answer, or None after recording the failure (once per fetch node the
        request stood for, as if each had been sent alone)."""
        try:
            return await self.hook(
                node, dict(self.headers), lambda h: self.client.post(node.graph, payload, h)
            )
        except SubgraphError as error:
            for _ in range(for_nodes):
                self.errors.append({
                    "message": str(error),
                    "extensions": {"code": error.code, "serviceName": node.graph},
                })
            return None

    async def _run_root(self, node: FetchNode) -> None:
        payload: dict[str, Any] = {"query": node.query}
        variables = self._variables_for(node)
        if variables:
            payload["variables"] = variables
        body = await self._call(node, payload)
        if body is None:
            return
        data = body.get("data")
        if isinstance(data, dict):
            if node.has_aliases:
                restore_aliases(data, node.root_sel, self.schema)
            deep_merge(self.data, data, self.concrete)
        for error in body.get("errors") or ():
            self._add_subgraph_error(node, error, error.get("path"))

    def _collect(self, node: FetchNode) -> _Entities:
        """The representations an entity fetch sends, and the objects each answer merges into."""
        batch = _Entities(node)
        seen: dict[Any, int] = {}
        for obj in objects_at(self.data, node.path):
            typename = obj.get("__typename")
            for part in node.parts:
                if typename not in part.match_types:
                    continue
                # Identical representations (the same entity reached twice) are asked once;
                # flat ones are recognised before being built (representations.dedupe_key).
                fingerprint: Any = dedupe_key(obj, part)
                if fingerprint is not None:
                    try:
                        index = seen.get(fingerprint)
                    except TypeError:  # an unhashable key value (a JSON scalar): the slow way
                        fingerprint = None
                    else:
                        if index is not None:
                            batch.targets[index].append(obj)
                            continue
                rep = representation(obj, part, self.schema)
                if rep is None:
                    continue
                if fingerprint is None:
                    fingerprint = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
                index = seen.get(fingerprint)
                if index is None:
                    seen[fingerprint] = len(batch.representations)
                    batch.representations.append(rep)
                    batch.targets.append([obj])
                    batch.parts.append(part)
                else:
                    batch.targets[index].append(obj)
        return batch

    async def _run_entities(self, node: FetchNode) -> None:
        batch = self._collect(node)
        if not batch.representations:
            return
        variables = self._variables_for(node)
        variables["representations"] = batch.representations
        body = await self._call(node, {"query": node.query, "variables": variables})
        if body is None:
            return
        self._merge_entities(batch, (body.get("data") or {}).get("_entities"))
        for error in body.get("errors") or ():
            self._entity_error(batch, error, "_entities")

    async def _run_batch(self, group: list[FetchNode]) -> None:
        """Several entity fetches to one subgraph in one request (execute/batching.py)."""
        batches = [b for b in (self._collect(n) for n in group) if b.representations]
        if not batches:
            return
        members = [b.node for b in batches]
        variables: dict[str, Any] = {}
        for i, b in enumerate(batches):
            variables.update(self._variables_for(b.node))
            variables[representations_variable(i)] = b.representations
        query = batching(self.plan).query(members)
        body = await self._call(members[0], {"query": query, "variables": variables}, len(batches))
        if body is None:
            return
        data = body.get("data") or {}
        aliases = {}
        for i, b in enumerate(batches):
            aliases[f"_{i}"] = b
            self._merge_entities(b, data.get(f"_{i}"))
        for error in body.get("errors") or ():
            path = error.get("path")
            owner = aliases.get(path[0]) if isinstance(path, list) and path else None
            if owner is not None:
                self._entity_error(owner, error, path[0])
            else:
                self._add_subgraph_error(batches[0].node, error, None)

    def _merge_entities(self, batch: _Entities, entities: Any) -> None:
        if not isinstance(entities, list):
            return
        node = batch.node
        for result, objs, part in zip(entities, batch.targets, batch.parts, strict=False):
            if isinstance(result, dict):
                if node.has_aliases:
                    restore_aliases(result, part.sel, self.schema)
                for obj in objs:
                    deep_merge(obj, result, self.concrete)

    def _entity_error(self, batch: _Entities, error: dict[str, Any], field: str) -> None:
        """A subgraph error at `<field>.<index>...` reported at the entity's own path."""
        node, targets = batch.node, batch.targets
        path = error.get("path")
        if (
            isinstance(path, list) and len(path) >= 2 and path[0] == field
            and isinstance(path[1], int) and path[1] < len(targets)
        ):
            origin = path_of(self.data, targets[path[1]][0], node.path)
            self._add_subgraph_error(node, error, origin + list(path[2:]))
        else:
            self._add_subgraph_error(node, error, None)

    def _add_subgraph_error(
        self, node: FetchNode, error: dict[str, Any], path: list[Any] | None
    ) -> None:
        out: dict[str, Any] = {"message": error.get("message", "subgraph error")}
        if path:
            out["path"] = path
        extensions = dict(error.get("extensions") or {})
        extensions.setdefault("serviceName", node.graph)
        out["extensions"] = extensions
        self.errors.append(out)
