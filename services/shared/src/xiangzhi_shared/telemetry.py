"""OpenTelemetry: one tracer provider per process; OTLP export only when an endpoint is set.

Kafka spans are made by the outbox relay and the consumer (they know the stored parent
context); HTTP server spans by the ASGI middleware; database spans by the asyncpg
instrumentation.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from .settings import ServiceSettings

_configured = False


def setup_tracing(settings: ServiceSettings, extra: SpanProcessor | None = None) -> None:
    """Installs the global tracer provider once; later calls only add `extra` processors
    (tests add an in-memory exporter this way)."""
    global _configured
    provider = trace.get_tracer_provider()
    if not _configured:
        attrs: dict[str, str] = {"service.name": settings.service_name}
        if settings.otel_resource_attributes:
            for pair in settings.otel_resource_attributes.split(","):
                k, _, v = pair.partition("=")
                if k.strip():
                    attrs[k.strip()] = v.strip()
        provider = TracerProvider(resource=Resource.create(attrs))
        if settings.otel_exporter_otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        trace.set_tracer_provider(provider)
        _instrument_asyncpg()
        _configured = True
    if extra is not None:
        provider.add_span_processor(extra)  # type: ignore[attr-defined]


def _instrument_asyncpg() -> None:
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    instrumentor = AsyncPGInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def tracer(name: str = "xiangzhi") -> trace.Tracer:
    return trace.get_tracer(name)


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> context.Context:
    if not traceparent:
        return context.Context()
    return propagate.extract({"traceparent": traceparent})


def context_from_headers(headers: Mapping[str, str]) -> context.Context:
    return propagate.extract(dict(headers))
