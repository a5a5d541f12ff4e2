"""Transactional outbox and its relay.

A state change calls `enqueue` inside its own transaction, after locking the aggregate row:
so rows of one aggregate get ids in commit order, and the relay, which publishes unpublished
rows in id order with the aggregate id as the record key, keeps per-aggregate order on the
topic. Only one relay per database is active at a time (a session advisory lock), so two
pods cannot interleave one aggregate's events. Publishing is at-least-once: a crash between
send and mark re-sends, and consumers dedupe by ce_id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer
from google.protobuf.message import Message
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from . import envelope
from .metrics import ServiceMetrics
from .settings import ServiceSettings, kafka_options
from .telemetry import context_from_traceparent, current_traceparent, tracer

log = logging.getLogger(__name__)
_RELAY_LOCK = 0x58_5A_52_4C  # "XZRL"


async def enqueue(conn: asyncpg.Connection, *, topic: str, key: str, ce_type: str,
                  message: Message, source: str, time: datetime | None = None) -> uuid.UUID:
    """Writes one event in the caller's transaction. Returns its ce_id."""
    event_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO outbox (event_id, topic, key, ce_type, ce_source, ce_time, proto,
                               payload, traceparent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        event_id, topic, key, ce_type, source, time or datetime.now(UTC),
        message.DESCRIPTOR.full_name, message.SerializeToString(), current_traceparent(),
    )
    # Wake the relay early instead of waiting for its next poll.
    await conn.execute("SELECT pg_notify('outbox', '')")
    return event_id


class OutboxRelay:
    """Publishes outbox rows to Kafka. `start()`/`stop()` are called by the app lifespan."""

    def __init__(self, pool: asyncpg.Pool, settings: ServiceSettings,
                 metrics: ServiceMetrics | None = None) -> None:
        self._pool = pool
        self._settings = settings
        self._metrics = metrics or ServiceMetrics()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self.active = False  # holds the lock and publishes (others stand by)

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            **kafka_options(self._settings), enable_idempotence=True, acks="all", linger_ms=5,
            request_timeout_ms=10_000, retry_backoff_ms=200,
            client_id=f"{self._settings.service_name}-relay",
        )

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            try:
                async with self._pool.acquire() as lock_conn:
                    if not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)",
                                                    _RELAY_LOCK):
                        await asyncio.sleep(2)  # another relay is active: stand by
                        continue
                    try:
                        self.active = True
                        await lock_conn.add_listener("outbox", self._on_notify)
                        await self._publish_forever()
                    finally:
                        self.active = False
                        with contextlib.suppress(Exception):
                            await lock_conn.remove_listener("outbox", self._on_notify)
                            await lock_conn.execute("SELECT pg_advisory_unlock($1)", _RELAY_LOCK)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database or Kafka down: back off and try again
                self._metrics.relay_errors.inc()
                log.warning("outbox relay: %s; retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _publish_forever(self) -> None:
        producer = self._new_producer()
        await producer.start()
        try:
            while not self._stopping:
                published = await self.publish_batch(producer)
                if published < self._settings.relay_batch_size:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(),
                                               self._settings.relay_poll_interval_ms / 1000)
        finally:
            await producer.stop()

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """Sends one batch in id order, waits for every ack, then marks the rows."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT id, event_id, topic, key, ce_type, ce_source, ce_time, proto,
                          payload, traceparent
                   FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1""",
                self._settings.relay_batch_size)
            await self._observe_lag(conn, bool(rows))
            if not rows:
                return 0
            futures = []
            for row in rows:
                futures.append(await self._send(producer, row))
            await asyncio.gather(*futures)
            await conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                               [r["id"] for r in rows])
        for row in rows:
            self._metrics.published.labels(row["topic"]).inc()
        return len(rows)

    async def _send(self, producer: AIOKafkaProducer, row: asyncpg.Record) -> asyncio.Future:
        parent = context_from_traceparent(row["traceparent"])
        with tracer().start_as_current_span(
            f"{row['topic']} publish", context=parent, kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": row["topic"],
                        "messaging.message.id": str(row["event_id"]),
                        "messaging.kafka.message.key": row["key"]},
        ):
            # The record carries the producer span's context, a child of the writer's trace.
            headers = envelope.headers_for(str(row["event_id"]), row["ce_type"], row["ce_source"],
                                           row["ce_time"], row["proto"],
                                           _traceparent_of_current_span())
            return await producer.send(row["topic"], value=bytes(row["payload"]),
                                       key=row["key"].encode(), headers=headers)

    async def _observe_lag(self, conn: asyncpg.Connection, any_rows: bool) -> None:
        if not any_rows:
            self._metrics.outbox_lag.set(0)
            self._metrics.outbox_pending.set(0)
            return
        row = await conn.fetchrow(
            """SELECT count(*) AS n, extract(epoch FROM now() - min(created_at)) AS age
               FROM outbox WHERE published_at IS NULL""")
        self._metrics.outbox_pending.set(row["n"])
        self._metrics.outbox_lag.set(float(row["age"] or 0))


def _traceparent_of_current_span() -> str | None:
    span = trace.get_current_span()
    return current_traceparent() if span.get_span_context().is_valid else None
