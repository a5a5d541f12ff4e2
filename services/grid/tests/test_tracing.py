"""One trace from the GraphQL request through the database and the outbox relay to a
Kafka consumer: the server span, asyncpg spans, the producer span and the consumer span."""

from __future__ import annotations

import asyncio
import secrets
import uuid

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.settings import ServiceSettings
from xiangzhi_shared.telemetry import setup_tracing
from xiangzhi_shared.testing import TopicTail, start_groups_at_end, trace_id_of

REPORT = """mutation($input: ReportMatterInput!) { reportMatter(input: $input) { id } }"""


async def test_request_database_publish_and_consume_share_one_trace(grid, tokens):
    exporter = InMemorySpanExporter()
    setup_tracing(grid.settings, extra=SimpleSpanProcessor(exporter))
    trace_id = secrets.token_hex(16)
    consumer_settings = ServiceSettings(service_name=f"trace-{uuid.uuid4().hex[:6]}")
    await start_groups_at_end(f"{consumer_settings.service_name}.trace-test", ["grid.matter.v1"])
    async with TopicTail("grid.matter.v1") as tail:
        data = await grid.gql.ok(
            REPORT, {"input": {"title": "追踪", "category": "ROAD",
                               "regionId": grid.region_id("QY.01.003.01")}},
            tokens("village_cadre", region="QY.01.003"),
            {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
        matter_id = data["reportMatter"]["id"]
        [event] = await tail.collect(lambda e: e.key == matter_id, count=1)
    assert trace_id_of(event.traceparent) == trace_id

    consumed = asyncio.Event()

    async def handler(conn, e):
        if e.key == matter_id:
            consumed.set()

    consumer = EventConsumer(grid.pool, consumer_settings, name="trace-test",
                             topics=["grid.matter.v1"], handler=handler,
                             dead_letter_topic="dlq.grid.v1")
    await consumer.start()
    try:
        await asyncio.wait_for(consumed.wait(), 60)
    finally:
        await consumer.stop()

    spans = [s for s in exporter.get_finished_spans() if f"{s.context.trace_id:032x}" == trace_id]
    kinds = {s.kind for s in spans}
    assert {SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER} <= kinds, kinds
    assert any(s.attributes.get("db.system") == "postgresql" for s in spans)
    producer = next(s for s in spans if s.kind is SpanKind.PRODUCER)
    consumer_span = next(s for s in spans if s.kind is SpanKind.CONSUMER)
    # the record carries the producer span; the consumer span is its child
    assert event.traceparent.split("-")[2] == f"{producer.context.span_id:016x}"
    assert consumer_span.parent.span_id == producer.context.span_id
