"""Example partner consumer: reads a partner utility's ticket feed over SASL/SCRAM-SHA-512,
decodes each record (CloudEvents headers + Protobuf PartnerTicket), prints it, and with
--accept reports ACCEPTED back on the partner's updates topic.

    # credentials of the local stack (a real partner gets them from the district's ops team)
    eval "$(deploy/local/stack partner-credentials power | sed 's/^/export KAFKA_/')"
    .venv/bin/python docs/examples/partner_consumer.py --partner power --max 5 [--accept]

Environment: KAFKA_bootstrap (default 127.0.0.1:9094), KAFKA_username, KAFKA_password (as
printed by `make partner-credentials PARTNER=<code>`). Optional: OTEL_EXPORTER_OTLP_ENDPOINT
(e.g. http://127.0.0.1:4318): each record is then processed in a span that continues the
record's `traceparent`, so the district's ops team and yours see one trace from the resident's
report to your consumer. The message classes come from
proto/xiangzhi/dispatch/v1/partner_feed.proto: generate them for your language with protoc
(`make proto` does it for this repository's Python).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from xiangzhi.dispatch.v1.partner_feed_pb2 import PartnerTicket, PartnerTicketUpdate

CONTENT_TYPE = "application/protobuf; proto="


def connection() -> dict[str, str]:
    return {
        "bootstrap_servers": os.environ.get("KAFKA_bootstrap", "127.0.0.1:9094"),
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": os.environ["KAFKA_username"],
        "sasl_plain_password": os.environ["KAFKA_password"],
    }


def decode(record) -> tuple[dict[str, str], PartnerTicket] | None:
    """None for a record that is not a PartnerTicket (skip it; never crash on one)."""
    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
    if headers.get("content-type") != CONTENT_TYPE + PartnerTicket.DESCRIPTOR.full_name:
        return None
    ticket = PartnerTicket()
    ticket.ParseFromString(record.value)
    return headers, ticket


async def report(producer: AIOKafkaProducer, partner: str, ticket: PartnerTicket,
                 status: str, note: str) -> None:
    update = PartnerTicketUpdate(ticket_id=ticket.ticket_id, partner=partner, status=status,
                                 note=note, specialist="example-consumer")
    update.occurred_at.GetCurrentTime()
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    headers = [("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"xiangzhi.partner.ticket_update"),
               ("ce_source", f"/partner/{partner}".encode()), ("ce_time", now.encode()),
               ("ce_specversion", b"1.0"),
               ("content-type", (CONTENT_TYPE + update.DESCRIPTOR.full_name).encode())]
    await producer.send_and_wait(f"partner.{partner}.updates.v1", update.SerializeToString(),
                                 key=ticket.ticket_id.encode(), headers=headers)


def tracing(partner: str):
    """An OpenTelemetry tracer exporting over OTLP/HTTP, or None when no endpoint is set."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return None, None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"partner-{partner}"}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")))
    return provider, provider.get_tracer("partner-consumer")


def span_for(tracer, topic: str, headers: dict[str, str]):
    """A CONSUMER span, child of the publisher's span named by the record's traceparent."""
    if tracer is None:
        return contextlib.nullcontext()
    from opentelemetry import propagate
    from opentelemetry.trace import SpanKind

    return tracer.start_as_current_span(
        f"{topic} process", context=propagate.extract(headers), kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic,
                    "messaging.message.id": headers.get("ce_id", "")})


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partner", required=True, help="your partner code, e.g. power")
    ap.add_argument("--group", help="consumer group (must start with your code)")
    ap.add_argument("--max", type=int, default=10, help="stop after this many records")
    ap.add_argument("--idle", type=float, default=10.0, help="stop after this many idle seconds")
    ap.add_argument("--accept", action="store_true", help="report ACCEPTED for routed tickets")
    args = ap.parse_args()
    conn = connection()
    provider, tracer = tracing(args.partner)
    topic = f"partner.{args.partner}.tickets.v1"
    consumer = AIOKafkaConsumer(topic, **conn,
                                group_id=args.group or f"{args.partner}.example",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    producer = AIOKafkaProducer(**conn, enable_idempotence=True, acks="all")
    await consumer.start()
    await producer.start()
    seen = 0
    try:
        while seen < args.max:
            batch = await consumer.getmany(timeout_ms=int(args.idle * 1000), max_records=50)
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    decoded = decode(record)
                    if decoded is None:
                        print(f"skipped record at offset {record.offset}: not a PartnerTicket")
                        continue
                    headers, t = decoded
                    seen += 1
                    with span_for(tracer, topic, headers):
                        print(f"{headers['ce_type']:<48} {t.ticket_id} {t.status:<11} "
                              f"{t.route:<11} {t.category:<16} {t.village_name}{t.location} "
                              f"trace={headers.get('traceparent', '-')}")
                        if args.accept and t.status == "ROUTED" and t.route == "PARTNER":
                            await report(producer, args.partner, t, "ACCEPTED", "已派抢修班")
            await consumer.commit()  # processed: the next run continues from here
    finally:
        await consumer.stop()
        await producer.stop()
        if provider is not None:
            provider.shutdown()  # flushes the spans not yet exported
    print(f"{seen} record(s)")


if __name__ == "__main__":
    asyncio.run(main())
