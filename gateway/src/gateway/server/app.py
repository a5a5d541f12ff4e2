"""The Starlette application: /graphql (POST JSON, GET for queries, GraphiQL for browsers),
/healthz, /readyz, /metrics. Every resource is opened and closed by the lifespan."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from opentelemetry.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from gateway.config import GatewaySettings
from gateway.errors import RequestError
from gateway.execute.executor import _no_hook
from gateway.pipeline import Gateway, GraphQLRequest, Outcome
from gateway.server.auth import Verifier, bearer_token, shared_verifier
from gateway.server.dedupe import InflightDeduplicator, dedupe_key
from gateway.server.graphiql import graphiql_page
from gateway.server.headers import HeaderPolicy
from gateway.server.metrics import GatewayMetrics
from gateway.server.tracing import (
    NO_SPAN,
    context_headers,
    fetch_hook,
    sdk_installed,
    server_span,
    tracer,
)
from gateway.supergraph.model import Supergraph

PLAN_HEADER = "x-gateway-plan"
GRAPHIQL_ASSETS = Path(__file__).resolve().parents[3] / "graphiql" / "node_modules"


class _OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


def _error(error: RequestError) -> Response:
    return _OrjsonResponse({"errors": [error.to_dict()]}, status_code=error.status)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestError(f"Request body exceeds {limit} bytes.", "PAYLOAD_TOO_LARGE", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(f"Request body exceeds {limit} bytes.", "PAYLOAD_TOO_LARGE", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_post(body: bytes) -> GraphQLRequest:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise RequestError("Request body is not valid JSON.", "BAD_REQUEST") from error
    if not isinstance(payload, dict):
        raise RequestError("Request body must be a JSON object.", "BAD_REQUEST")
    return _request_from(payload.get("query"), payload.get("variables"), payload.get("operationName"))


def _request_from(query: Any, variables: Any, operation_name: Any) -> GraphQLRequest:
    if query is not None and not isinstance(query, str):
        raise RequestError("'query' must be a string.", "BAD_REQUEST")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError("'variables' must be an object.", "BAD_REQUEST")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError("'operationName' must be a string.", "BAD_REQUEST")
    return GraphQLRequest(query, variables, operation_name)


def _parse_get(request: Request) -> GraphQLRequest:
    params = request.query_params
    variables: Any = None
    if params.get("variables"):
        try:
            variables = orjson.loads(params["variables"])
        except orjson.JSONDecodeError as error:
            raise RequestError("'variables' is not valid JSON.", "BAD_REQUEST") from error
    return _request_from(params.get("query"), variables, params.get("operationName"))


def create_app(
    supergraph: Supergraph,
    settings: GatewaySettings,
    verifier: Verifier | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    state: dict[str, Any] = {}
    metrics = GatewayMetrics()
    headers_policy = HeaderPolicy(settings.forward_headers)
    deduplicator = InflightDeduplicator() if settings.dedupe_inflight else None
    verify = verifier if verifier is not None else shared_verifier(settings)
    otel = tracer(tracer_provider)
    hook = fetch_hook(otel)
    page = graphiql_page(GRAPHIQL_ASSETS if GRAPHIQL_ASSETS.is_dir() else None)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        gateway = Gateway(supergraph, settings)
        state["gateway"] = gateway
        state["traced"] = sdk_installed(tracer_provider)
        try:
            yield
        finally:
            state.pop("gateway", None)
            await gateway.aclose()

    async def execute(gql: GraphQLRequest, request: Request, allowed: tuple[str, ...]) -> Response:
        gateway: Gateway = state["gateway"]
        want_plan = settings.expose_query_plan and request.headers.get(PLAN_HEADER) in ("1", "true")
        started = time.perf_counter()
        traced = state["traced"]
        span_scope = server_span(otel, request.headers) if traced else contextlib.nullcontext(NO_SPAN)
        with span_scope as span:
            try:
                token = bearer_token(request.headers)
                if verify is not None:
                    await verify(token)
            except RequestError as error:
                metrics.requests.labels("unauthenticated").inc()
                return _error(error)
            forwarded = headers_policy.forwarded(request.headers)
            if not traced:
                forwarded.update(context_headers(request.headers))

            async def work() -> tuple[bytes, Outcome]:
                outcome = await gateway.execute(gql, forwarded, hook if traced else _no_hook, allowed)
                if outcome.plan_cache_hit is not None:
                    metrics.plan_cache.labels("hit" if outcome.plan_cache_hit else "miss").inc()
                body = outcome.response
                if want_plan and outcome.plan is not None:
                    body = {**body, "extensions": {"queryPlan": outcome.plan.print()}}
                return orjson.dumps(body), outcome

            if deduplicator is not None and not want_plan:
                key = dedupe_key(gql.query or "", gql.variables, gql.operation_name,
                                 request.headers.get("authorization"))
                (payload, outcome), shared = await deduplicator.run(key, work)
                if shared:
                    metrics.deduplicated.inc()
                span.set_attribute("gateway.deduplicated", shared)
            else:
                payload, outcome = await work()
            if outcome.plan_cache_hit is not None:
                span.set_attribute("gateway.plan_cache", "hit" if outcome.plan_cache_hit else "miss")
            if outcome.operation_name:
                span.set_attribute("graphql.operation.name", outcome.operation_name)
        metrics.duration.observe(time.perf_counter() - started)
        metrics.requests.labels("refused" if outcome.refused else "executed").inc()
        status = 200
        if outcome.refused and "application/graphql-response+json" in request.headers.get("accept", ""):
            status = 400
        return _OrjsonResponse(payload, status_code=status)

    async def graphql_post(request: Request) -> Response:
        try:
            gql = _parse_post(await _read_body(request, settings.max_body_bytes))
        except RequestError as error:
            return _error(error)
        return await execute(gql, request, ("query", "mutation"))

    async def graphql_get(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if settings.graphiql and "text/html" in accept and "query" not in request.query_params:
            return HTMLResponse(page)
        try:
            gql = _parse_get(request)
        except RequestError as error:
            return _error(error)
        # GET must not change state (GraphQL over HTTP): mutations only by POST.
        return await execute(gql, request, ("query",))

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        ready = "gateway" in state
        return JSONResponse({"status": "ready" if ready else "starting"}, status_code=200 if ready else 503)

    async def metrics_endpoint(_request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/graphql", graphql_post, methods=["POST"]),
        Route("/graphql", graphql_get, methods=["GET"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    if GRAPHIQL_ASSETS.is_dir():
        app.mount("/graphiql/assets", StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql")
    app.state.metrics = metrics
    return app
