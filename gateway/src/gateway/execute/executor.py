"""Runs a query plan: every fetch starts as soon as the fetches it waits for are done, so
independent fetches run in parallel and dependent ones in sequence."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import GraphQLSchema

from gateway.execute.aliases import restore_aliases
from gateway.execute.fetcher import SubgraphClient, SubgraphError
from gateway.execute.merge import deep_merge, objects_at, path_of
from gateway.execute.representations import representation
from gateway.planner.plan import EntityPart, FetchNode, QueryPlan

Call = Callable[[dict[str, str]], Awaitable[dict[str, Any]]]
# Wraps one subgraph request (tracing and metrics hook in here, and may add headers such as
# `traceparent`); by default it just makes the call.
FetchHook = Callable[[FetchNode, dict[str, str], Call], Awaitable[dict[str, Any]]]


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

        async def run_when_ready(node: FetchNode) -> None:
            try:
                for dep in node.deps:
                    await done[dep.id]
                await self._run_node(node)
            finally:
                done[node.id].set_result(None)

        await asyncio.gather(*(run_when_ready(n) for n in nodes))

    def _variables_for(self, node: FetchNode) -> dict[str, Any]:
        return {n: self.variables[n] for n in node.variable_names if n in self.variables}

    async def _run_node(self, node: FetchNode) -> None:
        if node.kind == "root":
            await self._run_root(node)
        else:
            await self._run_entities(node)

    async def _call(self, node: FetchNode, payload: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return await self.hook(
                node, dict(self.headers), lambda h: self.client.post(node.graph, payload, h)
            )
        except SubgraphError as error:
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

    async def _run_entities(self, node: FetchNode) -> None:
        representations: list[dict[str, Any]] = []
        targets: list[list[dict[str, Any]]] = []
        parts: list[EntityPart] = []
        seen: dict[bytes, int] = {}
        for obj in objects_at(self.data, node.path):
            typename = obj.get("__typename")
            for part in node.parts:
                if typename not in part.match_types:
                    continue
                rep = representation(obj, part, self.schema)
                if rep is None:
                    continue
                # Identical representations (the same entity reached twice) are asked once.
                fingerprint = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
                index = seen.get(fingerprint)
                if index is None:
                    seen[fingerprint] = len(representations)
                    representations.append(rep)
                    targets.append([obj])
                    parts.append(part)
                else:
                    targets[index].append(obj)
        if not representations:
            return
        variables = self._variables_for(node)
        variables["representations"] = representations
        body = await self._call(node, {"query": node.query, "variables": variables})
        if body is None:
            return
        entities = (body.get("data") or {}).get("_entities")
        if isinstance(entities, list):
            for result, objs, part in zip(entities, targets, parts, strict=False):
                if isinstance(result, dict):
                    if node.has_aliases:
                        restore_aliases(result, part.sel, self.schema)
                    for obj in objs:
                        deep_merge(obj, result, self.concrete)
        for error in body.get("errors") or ():
            path = error.get("path")
            if (
                isinstance(path, list) and len(path) >= 2 and path[0] == "_entities"
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
