"""The consumer helper: a redelivered event changes nothing; a poison event reaches the
dead-letter topic with its error after bounded retries; progress resumes after it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest_asyncio
from aiokafka import AIOKafkaProducer
from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.envelope import headers_for
from xiangzhi_shared.settings import ServiceSettings
from xiangzhi_shared.testing import KAFKA, TopicTail, eventually, scratch_topics


@pytest_asyncio.fixture(loop_scope="session")
async def topics():
    async with scratch_topics("events", "dlq") as names:
        yield names


def settings() -> ServiceSettings:
    return ServiceSettings(service_name=f"consumer-test-{uuid.uuid4().hex[:8]}")


async def produce(producer, topic: str, event_id: str, key: str, note: str, raw: bytes | None = None):
    msg = MatterEvent(matter_id=key, note=note)
    await producer.send_and_wait(
        topic, key=key.encode(), value=raw if raw is not None else msg.SerializeToString(),
        headers=headers_for(event_id, "xiangzhi.test.step", "/test", datetime.now(UTC),
                            msg.DESCRIPTOR.full_name, None))


async def test_redelivered_event_is_applied_once(pool, topics):
    topic, dlq = topics
    await pool.execute("CREATE TABLE applied (event_id text, note text)")

    key = str(uuid.uuid4())

    async def handler(conn, event):
        await conn.execute("INSERT INTO applied VALUES ($1, $2)", event.id, event.message.note)

    consumer = EventConsumer(pool, settings(), name="test", topics=[topic], handler=handler,
                             dead_letter_topic=dlq)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA)
    await producer.start()
    await consumer.start()
    try:
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        await produce(producer, topic, first, key, "a")
        await produce(producer, topic, first, key, "a")  # the same event delivered again
        await produce(producer, topic, second, key, "b")
        await eventually(pool, "SELECT count(*) = 2 FROM applied")
        await produce(producer, topic, first, key, "a")  # and once more, later
        await produce(producer, topic, str(uuid.uuid4()), key, "c")
        await eventually(pool, "SELECT count(*) = 3 FROM applied")
        rows = await pool.fetch("SELECT note FROM applied ORDER BY note")
        assert [r["note"] for r in rows] == ["a", "b", "c"]
    finally:
        await consumer.stop()
        await producer.stop()


async def test_failing_handler_goes_to_dead_letter_with_error_then_consumption_goes_on(pool, topics):
    topic, dlq = topics
    await pool.execute("CREATE TABLE applied (note text)")

    key = str(uuid.uuid4())

    async def handler(conn, event):
        await conn.execute("INSERT INTO applied VALUES ($1)", event.message.note)
        if event.message.note == "poison":
            raise ValueError("cannot apply poison")  # the insert above is rolled back

    consumer = EventConsumer(pool, settings(), name="test", topics=[topic], handler=handler,
                             dead_letter_topic=dlq, max_attempts=3, retry_backoff_s=0.01)
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA)
    await producer.start()
    await consumer.start()
    try:
        async with TopicTail(dlq) as dead_letters:
            poison_id = str(uuid.uuid4())
            await produce(producer, topic, poison_id, key, "poison")
            await produce(producer, topic, str(uuid.uuid4()), key, "garbage", raw=b"\xff\xff")
            await produce(producer, topic, str(uuid.uuid4()), key, "fine")
            dead = await dead_letters.collect_raw(lambda r: r.key == key.encode(), count=2)
        await eventually(pool, "SELECT count(*) = 1 FROM applied")
        assert await pool.fetchval("SELECT note FROM applied") == "fine"
        errors = [dict(r.headers)["x-error"].decode() for r in dead]
        assert "ValueError: cannot apply poison" in errors[0]
        assert errors[1].startswith("undecodable")
        assert dict(dead[0].headers)["ce_id"].decode() == poison_id
        assert dict(dead[0].headers)["x-original-topic"] == topic.encode()
        assert dead[0].value == MatterEvent(matter_id=key, note="poison").SerializeToString()
        status = await pool.fetchval("SELECT status FROM inbox WHERE event_id=$1", poison_id)
        assert status == "dead_lettered"
    finally:
        await consumer.stop()
        await producer.stop()
