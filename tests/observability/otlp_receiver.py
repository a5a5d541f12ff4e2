"""A real OTLP/HTTP trace receiver for tests: what a collector or Jaeger would receive.

It serves `POST /v1/traces` on a free loopback port, decodes each body as an OTLP
`ExportTraceServiceRequest` (protobuf, optionally gzip-compressed, as the OpenTelemetry
exporters send it) and keeps the spans in memory, flattened with their resource attributes.
Tests point any exporter at `receiver.endpoint` — an in-process `OTLPSpanExporter`, or a
service process through OTEL_EXPORTER_OTLP_ENDPOINT — and then wait for the spans they
expect. Anything that is not a valid export request is refused the way a collector does
(415/400), so a broken exporter fails the test instead of passing silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from xiangzhi_shared.settings import ServiceSettings
from xiangzhi_shared.telemetry import setup_tracing
from xiangzhi_shared.testing import served

PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class ReceivedSpan:
    """One span as it arrived, with the ids in the hex form Jaeger and traceparent use."""

    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a root span
    name: str
    kind: str  # "SERVER", "CLIENT", "PRODUCER", "CONSUMER", "INTERNAL"
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: str
    status_code: str  # "UNSET", "OK", "ERROR"

    @property
    def service(self) -> str | None:
        return self.resource.get("service.name")


def _value(v: AnyValue) -> Any:
    which = v.WhichOneof("value")
    if which == "array_value":
        return [_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return _attrs(v.kvlist_value.values)
    return getattr(v, which) if which else None


def _attrs(kvs: Any) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in kvs if isinstance(kv, KeyValue)}


def decode(request: ExportTraceServiceRequest) -> list[ReceivedSpan]:
    spans = []
    for rs in request.resource_spans:
        resource = _attrs(rs.resource.attributes)
        for ss in rs.scope_spans:
            for s in ss.spans:
                spans.append(ReceivedSpan(
                    trace_id=s.trace_id.hex(), span_id=s.span_id.hex(),
                    parent_span_id=s.parent_span_id.hex(), name=s.name,
                    kind=Span.SpanKind.Name(s.kind).removeprefix("SPAN_KIND_"),
                    attributes=_attrs(s.attributes), resource=resource, scope=ss.scope.name,
                    status_code=Status.StatusCode.Name(s.status.code).removeprefix("STATUS_CODE_"),
                ))
    return spans


class OtlpReceiver:
    """Start with `async with OtlpReceiver.running() as receiver:`."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0  # export requests accepted
        self.refused = 0  # bodies that were not valid export requests
        self.endpoint = ""  # base URL, like OTEL_EXPORTER_OTLP_ENDPOINT: http://127.0.0.1:<port>
        self._arrived = asyncio.Condition()

    @property
    def traces_url(self) -> str:
        return f"{self.endpoint}/v1/traces"

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls) -> AsyncIterator[OtlpReceiver]:
        receiver = cls()
        async with served(receiver.app()) as url:
            receiver.endpoint = url
            yield receiver

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/traces", self._export, methods=["POST"])])

    async def _export(self, request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != PROTOBUF:
            self.refused += 1
            return Response("only OTLP protobuf is supported here", status_code=415)
        body = await request.body()
        try:
            if request.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            message = ExportTraceServiceRequest.FromString(body)
        except (DecodeError, OSError) as exc:
            self.refused += 1
            return Response(f"not an ExportTraceServiceRequest: {exc}", status_code=400)
        async with self._arrived:
            self.spans.extend(decode(message))
            self.requests += 1
            self._arrived.notify_all()
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type=PROTOBUF)

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.trace_id == trace_id]

    async def wait_for(self, done: Callable[[list[ReceivedSpan]], bool],
                       timeout_s: float = 30.0) -> list[ReceivedSpan]:
        """Waits until `done(all spans so far)` holds; fails with what did arrive."""
        deadline = time.monotonic() + timeout_s
        async with self._arrived:
            while not done(self.spans):
                left = deadline - time.monotonic()
                if left <= 0:
                    got = sorted({(s.kind, s.name, s.service or "?") for s in self.spans})
                    raise AssertionError(f"spans expected did not arrive in {timeout_s}s; "
                                         f"got {len(self.spans)}: {got[:40]}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), left)
        return list(self.spans)


@contextlib.asynccontextmanager
async def export_spans_to(receiver: OtlpReceiver, settings: ServiceSettings) -> AsyncIterator[None]:
    """Adds an OTLP/HTTP exporter to this process's tracer provider for the duration.

    setup_tracing installs the provider once per process, so this *adds* a processor rather
    than configuring a new provider; the resource (service.name) is the one of whichever
    settings configured the provider first. On exit the processor is flushed and shut down,
    so it neither loses the last spans nor keeps exporting to a receiver that is gone. Both
    calls block while the receiver answers on this event loop: so they run in a thread.
    """
    processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=receiver.traces_url, timeout=5),
                                   schedule_delay_millis=100)
    setup_tracing(settings, extra=processor)
    try:
        yield
    finally:
        await asyncio.to_thread(processor.force_flush, 10_000)
        await asyncio.to_thread(processor.shutdown)
