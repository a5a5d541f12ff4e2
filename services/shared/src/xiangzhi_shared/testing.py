"""Test helpers against the real local stack: a fresh database per test module, the app
served by uvicorn on a free loopback port, a GraphQL client, and a Kafka reader that
collects the records produced after a given moment. No stand-ins: everything is real."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from starlette.applications import Starlette

from . import devkeys, envelope
from .envelope import Event

PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://xiangzhi@127.0.0.1:5432/postgres")
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


@contextlib.asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[str]:
    """Creates an empty database for one test module and drops it afterwards."""
    name = f"test_{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield dsn
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.asynccontextmanager
async def served(app: Starlette) -> AsyncIterator[str]:
    """Runs the app (lifespan included) on a free loopback port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises the start-up error
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Tokens:
    """Mints tokens with a key pair private to the test session."""

    folder: Path

    @property
    def jwks_file(self) -> str:
        return str(devkeys.ensure_keys(self.folder)[1])

    def __call__(self, *roles: str, region: str | None = None, subject: str | None = None,
                 partner: str | None = None, ttl_s: int = 600) -> str:
        return devkeys.mint(list(roles), subject=subject, region=region, partner=partner,
                            ttl_s=ttl_s, folder=self.folder)


class GraphQLClient:
    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/graphql"
        self.http = httpx.AsyncClient(timeout=30)

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None, headers: dict[str, str] | None = None
                   ) -> httpx.Response:
        h = dict(headers or {})
        if token:
            h["authorization"] = f"Bearer {token}"
        return await self.http.post(self.url, json={"query": query, "variables": variables or {}},
                                    headers=h)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None, headers: dict[str, str] | None = None
                       ) -> dict[str, Any]:
        response = await self.post(query, variables, token, headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(self, query: str, variables: dict[str, Any] | None = None,
                 token: str | None = None, headers: dict[str, str] | None = None
                 ) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        body = await self(query, variables, token, headers)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def close(self) -> None:
        await self.http.aclose()


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


class TopicTail:
    """Reads topics from the offsets they had when the tail was opened. Any client settings
    may be given (a partner's SASL credentials and its own consumer group, to read as the
    partner does); by default it reads on the services' listener without a group."""

    def __init__(self, *topics: str, group_id: str | None = None, **kafka: Any) -> None:
        self.topics = topics
        self._consumer = AIOKafkaConsumer(**({"bootstrap_servers": KAFKA} | kafka),
                                          group_id=group_id, enable_auto_commit=False)

    async def __aenter__(self) -> TopicTail:
        await self._consumer.start()
        tps = [TopicPartition(t, p) for t in self.topics
               for p in sorted(await topic_partitions(self._consumer, t))]
        self._consumer.assign(tps)
        await self._consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, before the test produces anything
            await self._consumer.position(tp)
        return self

    async def commit(self) -> None:
        """Commits the group's position (a partner's group ACL allows it for its own groups)."""
        await self._consumer.commit()

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def collect_raw(self, match: Callable[[Any], bool], count: int,
                          timeout_s: float = 30.0) -> list[Any]:
        """Raw records that match (for topics such as dead letters, whose payload may be
        anything), in log order, once `count` arrived."""
        found: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(found)} of {count} records on {self.topics}")
            batch = await self._consumer.getmany(timeout_ms=200)
            found += [r for records in batch.values() for r in records if match(r)]
        return found

    async def collect(self, match: Callable[[Event], bool], count: int,
                      timeout_s: float = 30.0, settle_s: float = 0.0) -> list[Event]:
        """Events that match, in log order, once `count` arrived; then waits `settle_s`
        longer to catch any extra (duplicate) record. Fails if too few arrive in time."""
        found: list[Event] = []
        deadline = time.monotonic() + timeout_s
        settle_until: float | None = None
        while True:
            now = time.monotonic()
            if len(found) >= count:
                settle_until = settle_until or now + settle_s
                if now >= settle_until:
                    return found
            elif now > deadline:
                raise AssertionError(f"only {len(found)} of {count} events on {self.topics}")
            batch = await self._consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    event = envelope.decode_record(record)
                    if match(event):
                        found.append(event)


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The topic's partitions; a consumer without a subscription knows none until asked."""
    consumer._client.add_topic(topic)  # noqa: SLF001 - aiokafka has no public call for this
    await consumer._client.force_metadata_update()  # noqa: SLF001
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise AssertionError(f"topic {topic} does not exist on the broker")
    return partitions


async def start_groups_at_end(group_id: str, topics: list[str]) -> None:
    """Commits a consumer group's offsets at the topics' current ends before its consumer
    starts, so a service under test reads only what the test produces, not the topic's past."""
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=group_id,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(t, p) for t in topics for p in await topic_partitions(consumer, t)]
        ends = await consumer.end_offsets(tps)
        consumer.assign(tps)
        await consumer.commit(dict(ends))
    finally:
        await consumer.stop()


async def eventually(pool: asyncpg.Pool, sql: str, *args: Any, timeout_s: float = 30.0) -> Any:
    """Polls a query until it returns something truthy (an effect applied by a consumer or a
    relay in the background) and returns it; fails with the query after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await pool.fetchval(sql, *args)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not true within {timeout_s:.0f}s: {sql} {args}")


def trace_id_of(traceparent: str | None) -> str | None:
    return traceparent.split("-")[1] if traceparent else None


async def read_all(topic: str, bootstrap: str = KAFKA, idle_s: float = 1.0) -> list[Event]:
    """Every record of a topic from its beginning to its current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in sorted(await topic_partitions(consumer, topic))]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        for tp, start in (await consumer.beginning_offsets(tps)).items():
            consumer.seek(tp, start)  # explicit: seek_to_beginning may race the initial reset
        events: list[Event] = []
        while any([await consumer.position(tp) < ends[tp] for tp in tps]):
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000))
            for records in batch.values():
                events += [envelope.decode_record(r) for r in records]
        return events
    finally:
        await consumer.stop()


STACK = Path(__file__).resolve().parents[4] / "deploy" / "local" / "stack"


async def broker(action: str) -> None:
    """Stops or starts the local Kafka broker (`deploy/local/stack stop|start kafka`), for
    tests of what happens while it is away. `start` returns once it answers again."""
    proc = await asyncio.create_subprocess_exec(str(STACK), action, "kafka",
                                                stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise AssertionError(f"stack {action} kafka failed: {out.decode()}")


@contextlib.asynccontextmanager
async def scratch_topics(*names: str, partitions: int = 3) -> AsyncIterator[list[str]]:
    """Topics private to one test (unique names), deleted afterwards, so tests that produce
    poison or read from the earliest offset never touch the stack's real topics."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    suffix = secrets.token_hex(4)
    topics = [f"test.{n}.{suffix}" for n in names]
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, partitions, 1) for t in topics])
        yield topics
    finally:
        with contextlib.suppress(Exception):
            await admin.delete_topics(topics)
        await admin.close()
