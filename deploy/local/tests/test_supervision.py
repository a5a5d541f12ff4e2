"""A crashed infrastructure component is restarted by supervisord and works again.
Runs last (file order): it kills the real broker and database once each."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from stacktest_helpers import PLAINTEXT
from xzstack import kafka, paths, postgres, procs


def _wait_restarted(name: str, old_pid: int, healthy, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = procs.info()[name]
        if p["statename"] == "RUNNING" and p["pid"] not in (0, old_pid) and healthy():
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} not back after {timeout}s: {procs.info()[name]}")


async def test_killed_kafka_is_restarted_and_serves_again():
    old = procs.info()["kafka"]["pid"]
    os.kill(old, signal.SIGKILL)
    await asyncio.to_thread(_wait_restarted, "kafka", old, kafka.ready, 120)
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(**PLAINTEXT, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait("grid.matter.v1", marker, key=marker)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer("grid.matter.v1", **PLAINTEXT, group_id=f"t-{marker.decode()}",
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while (await consumer.getone()).value != marker:
                pass
    finally:
        await consumer.stop()


async def test_killed_postgres_is_restarted_and_serves_again():
    old = procs.info()["postgres"]["pid"]
    os.kill(old, signal.SIGKILL)
    await asyncio.to_thread(_wait_restarted, "postgres", old, postgres.ready, 60)
    conn = await asyncpg.connect(paths.database_url("grid"))
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()
