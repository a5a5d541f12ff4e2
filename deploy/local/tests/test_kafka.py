"""Topics, partner isolation (SCRAM + ACLs) and the services' listener on the real broker."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.conn import create_conn
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    UnknownTopicOrPartitionError,
)
from stacktest_helpers import PLAINTEXT, sasl
from xzstack import paths
from xzstack.provision import current_acls, desired_acls


def feed(code: str) -> str:
    return f"partner.{code}.tickets.v1"


def updates(code: str) -> str:
    return f"partner.{code}.updates.v1"


async def produce(settings: dict, topic: str) -> bytes:
    """Send one uniquely marked record (idempotent producer, acks=all, as the relay does)."""
    marker = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(**settings, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, marker, key=marker, headers=[("ce_id", marker)])
    finally:
        await producer.stop()
    return marker


async def consume_until(settings: dict, topic: str, group: str, marker: bytes) -> None:
    consumer = AIOKafkaConsumer(topic, **settings, group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while True:
                msg = await consumer.getone()
                if msg.value == marker:
                    assert msg.key == marker and ("ce_id", marker) in msg.headers
                    await consumer.commit()
                    return
    finally:
        await consumer.stop()


# --- topics ------------------------------------------------------------------------------

async def test_every_declared_topic_exists_with_its_partitions_and_configs(catalogue):
    admin = AIOKafkaAdminClient(**PLAINTEXT)
    await admin.start()
    try:
        names = [t.name for t in catalogue.topics]
        assert set(names) <= set(await admin.list_topics())
        described = {d["topic"]: d for d in await admin.describe_topics(names)}
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
    finally:
        await admin.close()
    configs = {res[3]: {c[0]: c[1] for c in res[4]} for r in responses for res in r.resources}
    for spec in catalogue.topics:
        parts = described[spec.name]["partitions"]
        assert len(parts) == spec.partitions, spec.name
        assert all(len(p["replicas"]) == spec.replication_factor for p in parts), spec.name
        for key, value in spec.config().items():
            assert configs[spec.name][key] == value, (spec.name, key)
    # a non-default value really is applied (coop.settlement.v1 keeps 30 days)
    assert configs["coop.settlement.v1"]["retention.ms"] == "2592000000"


async def test_topics_are_not_auto_created():
    """Only declared topics exist: a typo in a topic name fails loudly instead of creating it."""
    name = f"undeclared.{uuid.uuid4().hex}"
    producer = AIOKafkaProducer(**PLAINTEXT, request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises(UnknownTopicOrPartitionError):
            await producer.send_and_wait(name, b"x")
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(**PLAINTEXT)
    await admin.start()
    try:
        assert name not in await admin.list_topics()
    finally:
        await admin.close()


# --- the services' PLAINTEXT listener ----------------------------------------------------

async def test_services_listener_can_produce_and_consume_any_topic(catalogue, partner_a, partner_b):
    for topic in ("grid.matter.v1", feed(partner_a), feed(partner_b), updates(partner_b)):
        marker = await produce(PLAINTEXT, topic)
        await consume_until(PLAINTEXT, topic, f"svc-test-{uuid.uuid4().hex[:8]}", marker)


# --- partners ----------------------------------------------------------------------------

async def test_partner_reads_its_own_feed(partner_a):
    marker = await produce(PLAINTEXT, feed(partner_a))  # as dispatch would
    await consume_until(sasl(partner_a), feed(partner_a), f"{partner_a}.test-{uuid.uuid4().hex[:8]}",
                        marker)


async def test_partner_writes_its_own_updates(partner_a):
    marker = await produce(sasl(partner_a), updates(partner_a))
    await consume_until(PLAINTEXT, updates(partner_a), f"dispatch-test-{uuid.uuid4().hex[:8]}", marker)


async def test_partner_is_refused_reading_another_partners_feed(partner_a, partner_b):
    await produce(PLAINTEXT, feed(partner_b))
    consumer = AIOKafkaConsumer(feed(partner_b), **sasl(partner_a),
                                group_id=f"{partner_a}.test-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest")
    try:
        # Refused at the first metadata request (start) or the first fetch, depending on timing.
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getone(), 20)
    finally:
        await consumer.stop()


async def test_partner_is_refused_writing_another_partners_updates(partner_a, partner_b):
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(sasl(partner_a), updates(partner_b))


async def test_partner_is_refused_writing_its_own_feed(partner_a):
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(sasl(partner_a), feed(partner_a))


async def test_partner_is_refused_a_group_outside_its_prefix(partner_a, partner_b):
    consumer = AIOKafkaConsumer(feed(partner_a), **sasl(partner_a),
                                group_id=f"{partner_b}.test-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest")
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getone(), 20)
    finally:
        await consumer.stop()


async def test_partner_sees_only_its_own_topics_and_cannot_create_any(partner_a):
    admin = AIOKafkaAdminClient(**sasl(partner_a))
    await admin.start()
    try:
        assert sorted(await admin.list_topics()) == sorted([feed(partner_a), updates(partner_a)])
        resp = await admin.create_topics([NewTopic(f"{partner_a}.sneaky", 1, 1)])
        assert resp.topic_errors[0][1] != 0  # refused (TOPIC_AUTHORIZATION_FAILED)
    finally:
        await admin.close()


def test_partner_acls_are_exactly_the_declared_ones(catalogue):
    """Read back with Kafka's own AclCommand: every partner principal has exactly what
    topics.yaml grants, nothing more."""
    partners = {f"User:{c}" for c in catalogue.partners}
    actual = {a for a in current_acls() if a[0] in partners}
    assert actual == desired_acls(catalogue)
    assert len(actual) == 5 * len(catalogue.partners)


async def test_wrong_password_fails_authentication(partner_a):
    host, port = paths.KAFKA_SASL.split(":")
    good = sasl(partner_a)
    kw = {k: v for k, v in good.items() if k != "bootstrap_servers"}
    conn = await create_conn(host, int(port), **kw)  # the right one works
    conn.close()
    with pytest.raises(SaslAuthenticationFailed):
        wrong = "wrong-" + good["sasl_plain_password"]
        await create_conn(host, int(port), **{**kw, "sasl_plain_password": wrong})
    with pytest.raises(SaslAuthenticationFailed):
        await create_conn(host, int(port), **{**kw, "sasl_plain_username": "nobody"})
