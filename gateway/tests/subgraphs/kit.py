"""A minimal Apollo Federation subgraph on graphql-core + Starlette: the SDL plus the
`_Any`/`_Entity`/`_entities` machinery, with plain-dict resolvers. Enough to exercise every
plan shape; nothing here is mocked — the gateway talks to it over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from graphql import build_schema, graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FEDERATION_SDL = """
scalar _Any
type _Service { sdl: String }
"""

Resolver = Callable[..., Any]


def subgraph_app(
    name: str,
    sdl: str,
    entity_types: list[str],
    resolvers: dict[str, dict[str, Resolver]],
    references: dict[str, Callable[[dict[str, Any]], Any]],
    log: list[dict[str, Any]] | None = None,
) -> Starlette:
    entity_union = f"union _Entity = {' | '.join(entity_types)}\n" if entity_types else ""
    entities_field = (
        "  _entities(representations: [_Any!]!): [_Entity]!\n" if entity_types else ""
    )
    full = FEDERATION_SDL + entity_union + sdl.replace(
        "type Query {", "type Query {\n  _service: _Service!\n" + entities_field, 1
    )
    schema = build_schema(full)

    def resolve_entities(_root: Any, _info: Any, representations: list[dict[str, Any]]) -> list:
        out = []
        for rep in representations:
            resolver = references.get(rep["__typename"])
            out.append(resolver(rep) if resolver else None)
        return out

    for type_name, fields in resolvers.items():
        gtype = schema.get_type(type_name)
        for field_name, fn in fields.items():
            gtype.fields[field_name].resolve = fn  # type: ignore[union-attr]
    if entity_types:
        schema.query_type.fields["_entities"].resolve = resolve_entities  # type: ignore[union-attr]
    schema.query_type.fields["_service"].resolve = lambda *_: {"sdl": sdl}  # type: ignore[union-attr]

    async def endpoint(request: Request) -> Response:
        body = orjson.loads(await request.body())
        if log is not None:
            log.append({"subgraph": name, "query": body["query"],
                        "variables": body.get("variables"), "headers": dict(request.headers)})
        result = await graphql(
            schema, body["query"], variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(payload), media_type="application/json")

    return Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])


def field(key: str) -> Resolver:
    """A resolver reading `key` from a dict parent (graphql-core's default reads attributes
    and dict keys already; this names intent in the subgraph tables)."""
    return lambda parent, _info, **_kw: parent.get(key)
