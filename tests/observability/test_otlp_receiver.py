"""The test receiver behaves like a collector: it decodes what the real OTLP exporter sends
(plain and gzip) and refuses what is not an export request, so the trace tests cannot pass
on a receiver that accepts anything."""

from __future__ import annotations

import asyncio
import secrets

import httpx
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode


async def test_spans_from_the_real_exporter_arrive_decoded(otlp_receiver):
    marker = secrets.token_hex(6)
    for compression in (Compression.NoCompression, Compression.Gzip):
        # A private provider: the process-wide one belongs to the services under test.
        provider = TracerProvider(resource=Resource.create({"service.name": "probe"}))
        provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(
            endpoint=otlp_receiver.traces_url, compression=compression)))
        tracer = provider.get_tracer("probe")

        def emit(name: str, tracer=tracer) -> None:  # blocks; the receiver runs on this loop
            with tracer.start_as_current_span(name, kind=SpanKind.PRODUCER,
                                              attributes={"marker": marker, "n": 3}) as parent:
                with tracer.start_as_current_span("child") as child:
                    child.set_status(Status(StatusCode.ERROR, "boom"))
            assert parent.get_span_context().is_valid

        await asyncio.to_thread(emit, f"parent-{compression.value}")
        await asyncio.to_thread(provider.shutdown)
    spans = await otlp_receiver.wait_for(
        lambda ss: sum(s.attributes.get("marker") == marker for s in ss) == 2)
    parents = [s for s in spans if s.attributes.get("marker") == marker]
    assert {p.name for p in parents} == {"parent-none", "parent-gzip"}
    for p in parents:
        assert p.kind == "PRODUCER" and p.service == "probe" and p.attributes["n"] == 3
        [child] = [s for s in spans if s.parent_span_id == p.span_id]
        assert child.trace_id == p.trace_id and child.status_code == "ERROR"


async def test_what_is_not_an_export_request_is_refused(otlp_receiver):
    refused = otlp_receiver.refused
    async with httpx.AsyncClient() as http:
        as_json = await http.post(otlp_receiver.traces_url, json={"resourceSpans": []})
        garbage = await http.post(otlp_receiver.traces_url, content=b"\xff\x00not protobuf",
                                  headers={"content-type": "application/x-protobuf"})
    assert as_json.status_code == 415
    assert garbage.status_code == 400
    assert otlp_receiver.refused == refused + 2
