"""The outbox relay: nothing lost, nothing duplicated, per-aggregate order, one active relay."""

from __future__ import annotations

import asyncio
import uuid

import pytest_asyncio
from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.db import transaction
from xiangzhi_shared.outbox import OutboxRelay, enqueue
from xiangzhi_shared.settings import ServiceSettings
from xiangzhi_shared.testing import TopicTail, broker, eventually, read_all, scratch_topics

SETTINGS = ServiceSettings(service_name="relay-test", relay_poll_interval_ms=50)


@pytest_asyncio.fixture(loop_scope="session")
async def topic():
    async with scratch_topics("outbox") as names:
        yield names[0]


async def write_events(pool, topic: str, keys: list[str], per_key: int) -> None:
    """Commits `per_key` events for each key, interleaved across keys."""
    for n in range(per_key):
        for key in keys:
            async with transaction(pool) as conn:
                await enqueue(conn, topic=topic, key=key, ce_type="xiangzhi.test.step",
                              message=MatterEvent(matter_id=key, note=str(n)), source="/test")


def mine(keys):
    wanted = set(keys)
    return lambda e: e.key in wanted


async def test_relay_stopped_while_commits_then_restarted_delivers_each_event_once(pool, topic):
    keys = [str(uuid.uuid4()) for _ in range(5)]
    async with TopicTail(topic) as tail:
        await write_events(pool, topic, keys, 4)  # no relay running: rows wait in the outbox
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 20
        relay = OutboxRelay(pool, SETTINGS)
        await relay.start()
        try:
            events = await tail.collect(mine(keys), count=20, settle_s=2.0)
        finally:
            await relay.stop()
    assert len(events) == 20 and len({e.id for e in events}) == 20
    for key in keys:  # per aggregate, the order they were committed in
        assert [e.message.note for e in events if e.key == key] == ["0", "1", "2", "3"]
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_kafka_stopped_and_restarted_under_the_relay_loses_nothing(pool, topic):
    keys = [str(uuid.uuid4()) for _ in range(3)]
    relay = OutboxRelay(pool, SETTINGS)
    await relay.start()
    try:
        async with TopicTail(topic) as tail:
            await write_events(pool, topic, keys, 2)
            await tail.collect(mine(keys), count=6)
        await broker("stop")
        try:
            more = [str(uuid.uuid4()) for _ in range(3)]
            await write_events(pool, topic, more, 3)  # commits succeed while Kafka is down
            await asyncio.sleep(1.0)
            pending = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            assert pending == 9
        finally:
            await broker("start")
        await eventually(pool, "SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL",
                         timeout_s=90)
    finally:
        await relay.stop()
    ids = {r["event_id"] for r in await pool.fetch("SELECT event_id FROM outbox")}
    assert len(ids) == 15
    # Read the topic back: every event is there. (Publishing is at-least-once; a send whose
    # ack was lost with the broker may repeat, which consumers absorb by ce_id.)
    seen = [e for e in await read_all(topic) if e.key in set(keys + more)]
    assert {uuid.UUID(e.id) for e in seen} == ids


async def test_only_one_relay_is_active_per_database(pool):
    first, second = OutboxRelay(pool, SETTINGS), OutboxRelay(pool, SETTINGS)
    await first.start()
    await second.start()
    try:
        for _ in range(50):
            if first.active or second.active:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        assert [first.active, second.active].count(True) == 1
        standby = second if first.active else first
        await (first if first.active else second).stop()
        for _ in range(60):  # the standby takes over within its retry interval
            if standby.active:
                break
            await asyncio.sleep(0.1)
        assert standby.active
    finally:
        await first.stop()
        await second.stop()
