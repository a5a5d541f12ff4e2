"""Idempotent event consumers.

Each record is applied in one database transaction together with an inbox row keyed by its
ce_id, so a redelivered event changes nothing. A handler that keeps failing is retried a
bounded number of times, then the record goes to the service's dead-letter topic carrying the
error, and its inbox row says so. Offsets are committed only after that, so a crash replays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from opentelemetry.trace import SpanKind, Status, StatusCode

from . import envelope
from .envelope import EnvelopeError, Event
from .metrics import ServiceMetrics
from .settings import ServiceSettings, kafka_options
from .telemetry import context_from_traceparent, tracer

log = logging.getLogger(__name__)

Handler = Callable[[asyncpg.Connection, Event], Awaitable[None]]


class EventConsumer:
    def __init__(self, pool: asyncpg.Pool, settings: ServiceSettings, *, name: str,
                 topics: Sequence[str], handler: Handler, dead_letter_topic: str,
                 metrics: ServiceMetrics | None = None, max_attempts: int = 5,
                 retry_backoff_s: float = 0.1) -> None:
        self.name = name
        self._pool = pool
        self._settings = settings
        self._topics = list(topics)
        self._handler = handler
        self._dlq = dead_letter_topic
        self._metrics = metrics or ServiceMetrics()
        self._max_attempts = max_attempts
        self._backoff = retry_backoff_s
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.group_id = f"{settings.service_name}.{name}"

    async def start(self) -> None:
        self._stopping = False
        for topic in self._topics:  # series exist at 0, so the first dead letter is an increase
            self._metrics.dead_letters.labels(self.name, topic).inc(0)
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.name}")

    async def stop(self) -> None:
        self._stopping = True
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            consumer = AIOKafkaConsumer(
                *self._topics, **kafka_options(self._settings), group_id=self.group_id,
                enable_auto_commit=False, auto_offset_reset="earliest",
                client_id=f"{self._settings.service_name}-{self.name}",
            )
            producer = AIOKafkaProducer(**kafka_options(self._settings), enable_idempotence=True,
                                        acks="all")
            try:
                await consumer.start()
                await producer.start()
                backoff = 0.2
                while not self._stopping:
                    batches = await consumer.getmany(timeout_ms=500, max_records=200)
                    for tp, records in batches.items():
                        for record in records:
                            await self.apply(record, producer)
                        await consumer.commit({tp: records[-1].offset + 1})
                    await self._observe_lag(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database unreachable: reconnect later
                log.warning("consumer %s: %s; retrying in %.1fs", self.name, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                with contextlib.suppress(Exception):
                    await producer.stop()

    async def _observe_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is None:
                continue
            position = await consumer.position(tp)
            self._metrics.consumer_lag.labels(self.name, tp.topic, str(tp.partition)).set(
                max(high - position, 0))

    async def apply(self, record: Any, producer: AIOKafkaProducer) -> str:
        """Applies one record; returns 'applied', 'duplicate' or 'dead_lettered'."""
        try:
            event = envelope.decode_record(record)
        except EnvelopeError as exc:
            await self._dead_letter(record, producer, f"undecodable: {exc}",
                                    event_id=f"{record.topic}:{record.partition}:{record.offset}")
            return "dead_lettered"
        parent = context_from_traceparent(event.traceparent)
        with tracer().start_as_current_span(
            f"{record.topic} process", context=parent, kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": record.topic,
                        "messaging.message.id": event.id, "messaging.consumer.group.name":
                        self.group_id, "messaging.kafka.message.offset": record.offset},
        ) as span:
            last_error = ""
            for attempt in range(1, self._max_attempts + 1):
                try:
                    outcome = await self._apply_once(event)
                    self._metrics.consumed.labels(self.name, record.topic, outcome).inc()
                    return outcome
                except Exception as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("consumer %s: event %s attempt %d failed: %s", self.name,
                                event.id, attempt, last_error)
                    if attempt < self._max_attempts:
                        await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            span.set_status(Status(StatusCode.ERROR, last_error))
            await self._dead_letter(record, producer, last_error, event_id=event.id)
            return "dead_lettered"

    async def _apply_once(self, event: Event) -> str:
        async with self._pool.acquire() as conn, conn.transaction():
            inserted = await conn.fetchval(
                """INSERT INTO inbox (consumer, event_id, topic) VALUES ($1, $2, $3)
                   ON CONFLICT DO NOTHING RETURNING true""", self.name, event.id, event.topic)
            if not inserted:
                return "duplicate"
            await self._handler(conn, event)
            return "applied"

    async def _dead_letter(self, record: Any, producer: AIOKafkaProducer, error: str,
                           event_id: str) -> None:
        headers = list(record.headers or ()) + [
            ("x-error", error[:2000].encode()),
            ("x-original-topic", record.topic.encode()),
            ("x-original-partition", str(record.partition).encode()),
            ("x-original-offset", str(record.offset).encode()),
            ("x-consumer", self.name.encode()),
        ]
        await producer.send_and_wait(self._dlq, value=record.value, key=record.key,
                                     headers=headers)
        async with self._pool.acquire() as conn:
            await conn.execute(
                """INSERT INTO inbox (consumer, event_id, topic, status, error)
                   VALUES ($1, $2, $3, 'dead_lettered', $4)
                   ON CONFLICT (consumer, event_id) DO UPDATE
                   SET status = 'dead_lettered', error = EXCLUDED.error""",
                self.name, event_id, record.topic, error[:2000])
        self._metrics.dead_letters.labels(self.name, record.topic).inc()


__all__ = ["EventConsumer", "Handler", "TopicPartition"]
