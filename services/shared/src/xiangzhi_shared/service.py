"""The app every service runs: a Starlette app around a strawberry Federation 2 subgraph,
with the pool, migrations, outbox relay and consumers opened and closed by its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import strawberry
from aiokafka.client import AIOKafkaClient
from graphql import DocumentNode, FieldNode, GraphQLError, get_operation_ast
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.trace import Status, StatusCode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from .auth import JwtVerifier
from .consumer import EventConsumer
from .context import RequestContext
from .db import create_pool
from .errors import DomainError
from .metrics import ServiceMetrics
from .migrations import SHARED_MIGRATIONS, migrate
from .outbox import OutboxRelay
from .settings import ServiceSettings, kafka_options
from .telemetry import setup_tracing

log = logging.getLogger(__name__)

class Lifecycle(Protocol):
    """Anything the lifespan starts and stops: consumers, periodic jobs (the overdue
    scheduler)."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


ConsumerFactory = Callable[[asyncpg.Pool, ServiceSettings, ServiceMetrics], EventConsumer]
TaskFactory = Callable[[asyncpg.Pool, ServiceSettings], Lifecycle]


@dataclass
class ServiceSpec:
    settings: ServiceSettings
    schema: strawberry.Schema
    migrations: Path
    consumers: Sequence[ConsumerFactory] = ()
    background: Sequence[TaskFactory] = ()
    max_body_bytes: int = 256 * 1024


@dataclass
class Runtime:
    """The live resources of one running app (tests reach the relay through it)."""

    pool: asyncpg.Pool | None = None
    relay: OutboxRelay | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    tasks: list[Lifecycle] = field(default_factory=list)
    kafka: AIOKafkaClient | None = None
    verifier: JwtVerifier | None = None


def _error_code(error: GraphQLError) -> str:
    # Errors without a path were raised before execution: parsing, validation, variables.
    if error.original_error is None or error.path is None:
        msg = error.message
        if msg.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED"
        if msg.startswith("Variable '$"):
            return "BAD_USER_INPUT"
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL"


class _OperationMetrics(SchemaExtension):
    """Request rate, errors and latency per operation."""

    def on_operation(self):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        yield
        ctx = self.execution_context
        name = ctx.operation_name or "anonymous"
        metrics: ServiceMetrics = ctx.context.metrics
        outcome = "error" if (ctx.result and ctx.result.errors) or ctx.pre_execution_errors \
            else "ok"
        metrics.requests.labels(name, outcome).inc()
        metrics.latency.labels(name).observe(time.perf_counter() - started)
        span = trace.get_current_span()
        span.set_attribute("graphql.operation.name", name)
        span.set_attribute("graphql.outcome", outcome)
        # A GraphQL error is answered with HTTP 200: mark the span so `error=true` finds the
        # requests that failed unexpectedly (expected DomainErrors carry their own code).
        errors = (ctx.result.errors if ctx.result else None) or []
        if any(e.original_error is not None and not isinstance(e.original_error, DomainError)
               and e.path is not None for e in errors):
            span.set_status(Status(StatusCode.ERROR, "internal error"))


# The subgraph's SDL (read by composition) and introspection need no caller.
PUBLIC_ROOT_FIELDS = frozenset({"_service", "__schema", "__type", "__typename"})


class _RequireCaller(SchemaExtension):
    """No operation runs for an anonymous caller or a bad token: it is refused before any
    resolver, so it learns nothing, not even whether an id exists. Roles and region scope
    stay each resolver's to check; this is the floor under them."""

    def on_execute(self):  # type: ignore[no-untyped-def]
        ctx = self.execution_context
        try:
            ctx.context.principal.require()
        except DomainError as refusal:
            if not _only_public_fields(ctx.graphql_document, ctx.operation_name):
                ctx.result = ExecutionResult(data=None, errors=[
                    GraphQLError(refusal.message, extensions=refusal.extensions)])
        yield


def _only_public_fields(document: DocumentNode | None, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name) if document else None
    if operation is None:
        return False
    return all(isinstance(sel, FieldNode) and sel.name.value in PUBLIC_ROOT_FIELDS
               for sel in operation.selection_set.selections)


class SubgraphApp(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app, with our context and stable error codes."""

    def __init__(self, schema: strawberry.Schema, runtime: Runtime, settings: ServiceSettings,
                 metrics: ServiceMetrics) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self._runtime = runtime
        self._settings = settings
        self._metrics = metrics

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        assert self._runtime.pool is not None
        ctx = RequestContext(pool=self._runtime.pool, settings=self._settings,
                             metrics=self._metrics, request=request, response=response,
                             authorization=request.headers.get("authorization"))
        if self._runtime.verifier is not None:
            try:
                ctx._principal = await self._runtime.verifier.principal_from_header(
                    ctx.authorization)
            except DomainError as exc:
                ctx.auth_error = exc
        return ctx

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [self._format_error(e) for e in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data

    @staticmethod
    def _format_error(error: GraphQLError) -> dict[str, Any]:
        formatted = error.formatted
        extensions = dict(formatted.get("extensions") or {})
        if "code" not in extensions:
            code = _error_code(error)
            extensions["code"] = code
            if code == "INTERNAL":
                # Never leak a traceback or internals; the log has the details.
                log.error("unexpected error at %s", error.path, exc_info=error.original_error)
                formatted["message"] = "internal error"
        formatted["extensions"] = extensions
        return dict(formatted)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, declared or streamed."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, receive, send)
        chunks, size = [], 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if size > self.limit:
                return await self._refuse(scope, receive, send)
            chunks.append(message)
            if not message.get("more_body"):
                break

        async def replay() -> Any:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        body = {"errors": [{"message": f"request body over {self.limit} bytes",
                            "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]}
        await JSONResponse(body, status_code=413)(scope, receive, send)


def create_app(spec: ServiceSpec) -> Starlette:
    settings = spec.settings
    setup_tracing(settings)
    metrics = ServiceMetrics()
    runtime = Runtime()
    if settings.jwks_file or settings.jwks_url:
        runtime.verifier = JwtVerifier.from_settings(settings)
    spec.schema.extensions = (*spec.schema.extensions, _RequireCaller, _OperationMetrics)
    graphql_app = SubgraphApp(spec.schema, runtime, settings, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.pool = await create_pool(settings.database_url, settings.database_pool_min,
                                         settings.database_pool_max)
        if settings.migrate_on_start:
            async with runtime.pool.acquire() as conn:
                await migrate(conn, SHARED_MIGRATIONS, spec.migrations)
        runtime.kafka = AIOKafkaClient(**kafka_options(settings), request_timeout_ms=3000)
        with contextlib.suppress(Exception):  # readiness reports Kafka; start anyway
            await runtime.kafka.bootstrap()
        if settings.relay_enabled:
            runtime.relay = OutboxRelay(runtime.pool, settings, metrics)
            await runtime.relay.start()
        if settings.consumers_enabled:
            runtime.consumers = [make(runtime.pool, settings, metrics) for make in spec.consumers]
        runtime.tasks = [make(runtime.pool, settings) for make in spec.background]
        parts: list[Lifecycle] = [*runtime.consumers, *runtime.tasks]
        for part in parts:
            await part.start()
        try:
            yield
        finally:
            for part in reversed(parts):
                await part.stop()
            if runtime.relay:
                await runtime.relay.stop()
            with contextlib.suppress(Exception):
                await runtime.kafka.close()
            await runtime.pool.close()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> Response:
        checks = {"database": False, "kafka": False}
        with contextlib.suppress(Exception):
            assert runtime.pool is not None
            async with asyncio.timeout(2):
                checks["database"] = await runtime.pool.fetchval("SELECT true")
        with contextlib.suppress(Exception):
            assert runtime.kafka is not None
            async with asyncio.timeout(2):
                await runtime.kafka.fetch_all_metadata()
                checks["kafka"] = True
        ok = all(checks.values())
        return JSONResponse({"ready": ok, **checks}, status_code=200 if ok else 503)

    async def metrics_endpoint(_: Request) -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    app = Starlette(
        routes=[Route("/graphql", BodyLimit(graphql_app, spec.max_body_bytes), methods=["GET", "POST"]),
                Route("/healthz", healthz), Route("/readyz", readyz),
                Route("/metrics", metrics_endpoint)],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.metrics = metrics
    # Probes and scrapes every few seconds would bury real requests in the trace backend.
    app.add_middleware(OpenTelemetryMiddleware,  # type: ignore[arg-type]
                       excluded_urls="healthz,readyz,metrics")
    return app
