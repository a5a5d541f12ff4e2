"""Traces the ops team can follow, read back from a real OTLP receiver.

One GraphQL mutation carrying a caller's `traceparent` must arrive at the OTLP endpoint as one
trace: the service's server span, its asyncpg spans, the outbox relay's Kafka producer span
and the consumer's span, every span linked to a parent inside that trace (or to the caller),
and every span naming its service. The first test runs the grid app in this process; the
second runs it as the local stack does (`python -m grid serve`, OTEL_EXPORTER_OTLP_ENDPOINT in
its environment), which is also the path Jaeger's traces take.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
import uuid
from pathlib import Path

import httpx
from grid.app import make_spec
from grid.seed import seed, sid
from grid.settings import GridSettings
from opentelemetry import trace
from otlp_receiver import ReceivedSpan, export_spans_to
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.service import create_app
from xiangzhi_shared.settings import ServiceSettings
from xiangzhi_shared.testing import GraphQLClient, TopicTail, fresh_database, served, start_groups_at_end

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "grid.matter.v1"
REPORT = """mutation ReportMatter($input: ReportMatterInput!) {
  reportMatter(input: $input) { id } }"""


def _report_input() -> dict:
    return {"input": {"title": "路灯不亮", "category": "ROAD",
                      "regionId": str(sid("region", "QY.01.003.01"))}}


def _caller() -> tuple[str, str, str]:
    """A traceparent as a mobile client or the gateway would send it."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


def _has(kind: str, **attrs: object):
    def match(s: ReceivedSpan) -> bool:
        return s.kind == kind and all(s.attributes.get(k) == v for k, v in attrs.items())
    return match


def assert_one_connected_trace(spans: list[ReceivedSpan], caller_span: str) -> None:
    """Every span's parent is the caller's span or another span of the same trace: one tree,
    no orphan that Jaeger would show as a separate, broken trace."""
    assert len({s.trace_id for s in spans}) == 1
    ids = {s.span_id for s in spans}
    orphans = [(s.kind, s.name) for s in spans if s.parent_span_id not in ids | {caller_span}]
    assert not orphans, f"spans whose parent is not in the trace: {orphans}"


async def test_mutation_database_kafka_and_consumer_share_one_exported_trace(otlp_receiver, tokens):
    refused = otlp_receiver.refused
    async with fresh_database("obs_trace") as dsn:
        # consumers_enabled=False: grid's own consumer groups belong to the stack's grid.
        settings = GridSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                escalation_interval_s=3600, consumers_enabled=False)
        app = create_app(make_spec(settings))  # installs the tracer provider if none is yet
        async with export_spans_to(otlp_receiver, settings), served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            consumer = EventConsumer(
                pool, ServiceSettings(service_name=f"obs-{uuid.uuid4().hex[:8]}"),
                name="trace-follower", topics=[TOPIC], handler=_ignore,
                dead_letter_topic="dlq.grid.v1")
            await start_groups_at_end(consumer.group_id, [TOPIC])
            trace_id, caller_span, traceparent = _caller()
            gql = GraphQLClient(url)
            await consumer.start()
            try:
                async with TopicTail(TOPIC) as tail:
                    data = await gql.ok(REPORT, _report_input(),
                                        tokens("village_cadre", region="QY.01.003"),
                                        {"traceparent": traceparent})
                    matter_id = data["reportMatter"]["id"]
                    [event] = await tail.collect(lambda e: e.key == matter_id, count=1)
                # Other consumers running in this process (another suite's service) may join
                # the same trace too: that is the point of one trace. Ours has our group.
                consumed = _has("CONSUMER", **{"messaging.message.id": event.id,
                                               "messaging.consumer.group.name": consumer.group_id})
                await otlp_receiver.wait_for(
                    lambda _: any(consumed(s) for s in otlp_receiver.trace(trace_id)), 60)
            finally:
                await consumer.stop()
                await gql.close()

    spans = otlp_receiver.trace(trace_id)
    server = [s for s in spans if s.kind == "SERVER"]
    assert len(server) == 1 and server[0].parent_span_id == caller_span, server
    assert server[0].attributes.get("graphql.operation.name") == "ReportMatter"
    db = [s for s in spans if s.attributes.get("db.system") == "postgresql"]
    assert db and all(s.kind == "CLIENT" for s in db)
    [producer] = [s for s in spans if _has("PRODUCER", **{"messaging.destination.name": TOPIC,
                                                          "messaging.message.id": event.id})(s)]
    # Delivery is at least once: a rebalance under load may hand the record over again, and
    # each delivery gets its span (the inbox makes the repeat a no-op).
    consumer_spans = [s for s in spans if consumed(s)]
    assert consumer_spans
    consumer_span = consumer_spans[0]
    # The Kafka record carried the producer span's context; the consumer span is its child
    # and names the consumer group, as the ops team searches for it.
    assert event.traceparent == f"00-{trace_id}-{producer.span_id}-01"
    for span in consumer_spans:
        assert span.parent_span_id == producer.span_id
    # The consumer's inbox write is traced too, inside the consumer span's subtree.
    assert any(s.parent_span_id == consumer_span.span_id and s.attributes.get("db.system")
               for s in spans)
    assert_one_connected_trace(spans, caller_span)
    # The provider is process-wide: its resource is that of the first service set up in this
    # pytest process (another suite's, in a full run). Every span carries it, and it is a real
    # name, not the SDK's "unknown_service" fallback.
    expected = trace.get_tracer_provider().resource.attributes["service.name"]  # type: ignore[attr-defined]
    assert {s.service for s in spans} == {expected}
    assert not str(expected).startswith("unknown_service")
    assert otlp_receiver.refused == refused  # every export request was valid OTLP


async def _ignore(conn, event) -> None:
    """The consumer's effect is its inbox row; the test follows its span."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_service_process_exports_to_the_endpoint_in_its_environment(otlp_receiver, tokens,
                                                                          tmp_path):
    """As the local stack runs it: OTEL_EXPORTER_OTLP_ENDPOINT (base URL, the service adds
    /v1/traces) and OTEL_RESOURCE_ATTRIBUTES in the environment of `python -m grid`."""
    port = _free_port()
    async with fresh_database("obs_proc") as dsn:
        env = {**os.environ, "SERVICE_NAME": "grid", "PORT": str(port), "HOST": "127.0.0.1",
               "DATABASE_URL": dsn, "JWKS_FILE": tokens.jwks_file, "LOG_LEVEL": "warning",
               "ESCALATION_INTERVAL_S": "3600", "CONSUMERS_ENABLED": "false",
               "OTEL_BSP_SCHEDULE_DELAY": "200",  # export within 0.2 s, not the default 5 s
               "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.endpoint,
               "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test,service.namespace=xiangzhi"}
        # Run asynchronously: the receiver answers on this event loop, which must not block.
        seeded = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "grid", "seed", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        seed_out = (await asyncio.wait_for(seeded.communicate(), 120))[0]
        assert seeded.returncode == 0, seed_out.decode(errors="replace")
        log = tmp_path / "grid.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "grid", "serve", env=env, cwd=ROOT, stdout=out,
                stderr=asyncio.subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        gql = GraphQLClient(url)
        try:
            await _wait_ready(url, proc, log)
            trace_id, caller_span, traceparent = _caller()
            async with TopicTail(TOPIC) as tail:
                data = await gql.ok(REPORT, _report_input(),
                                    tokens("village_cadre", region="QY.01.003"),
                                    {"traceparent": traceparent})
                matter_id = data["reportMatter"]["id"]
                [event] = await tail.collect(lambda e: e.key == matter_id, count=1)
            published = _has("PRODUCER", **{"messaging.message.id": event.id})

            def arrived(_: object) -> bool:
                spans = otlp_receiver.trace(trace_id)
                return any(s.kind == "SERVER" for s in spans) and any(map(published, spans))

            # The service exports in batches: wait until both spans have arrived.
            await otlp_receiver.wait_for(arrived, 30)
        finally:
            await gql.close()
            if proc.returncode is None:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 30)
    spans = otlp_receiver.trace(trace_id)
    assert {s.resource.get("service.name") for s in spans} == {"grid"}
    assert all(s.resource.get("deployment.environment") == "test" for s in spans)
    [producer] = [s for s in spans if published(s)]
    assert event.traceparent == f"00-{trace_id}-{producer.span_id}-01"
    assert any(s.attributes.get("db.system") == "postgresql" for s in spans)
    assert_one_connected_trace(spans, caller_span)


async def _wait_ready(url: str, proc: asyncio.subprocess.Process, log: Path,
                      timeout_s: float = 60) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(int(timeout_s / 0.25)):
            if proc.returncode is not None:
                raise AssertionError(f"grid exited {proc.returncode}: {_tail(log)}")
            try:
                if (await http.get(url + "/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    raise AssertionError(f"grid at {url} not ready after {timeout_s}s")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]
