"""OpenTelemetry: a SERVER span per request (continuing the caller's `traceparent`), a CLIENT
span per subgraph fetch with `traceparent` injected into its headers, and the plan cache
outcome as an attribute. Spans are no-ops unless the app's lifespan installed an SDK provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from gateway.execute.executor import Call
from gateway.planner.plan import FetchNode

TRACER_NAME = "xiangzhi.gateway"


def tracer(provider: trace.TracerProvider | None = None) -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME, tracer_provider=provider)


def server_span(t: trace.Tracer, headers: Mapping[str, str]) -> Any:
    context = propagate.extract(dict(headers))
    return t.start_as_current_span("POST /graphql", context=context, kind=SpanKind.SERVER)


def fetch_hook(t: trace.Tracer):
    async def hook(node: FetchNode, headers: dict[str, str], call: Call) -> dict[str, Any]:
        with t.start_as_current_span(f"subgraph {node.graph}", kind=SpanKind.CLIENT) as span:
            span.set_attribute("graphql.subgraph.name", node.graph)
            span.set_attribute("graphql.fetch.kind", node.kind)
            propagate.inject(headers)
            try:
                return await call(headers)
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, str(error)))
                raise

    return hook
