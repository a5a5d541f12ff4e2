"""/metrics of a served service covers what the dashboard and the alerts read: request rate,
errors and latency per operation, outbox lag, consumer lag and dead letters.

The grid app runs with its real relay and one real consumer on scratch topics; the text is
parsed with prometheus_client's own parser, so a format or name change fails here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError
from grid.app import make_spec
from grid.seed import seed, sid
from grid.settings import GridSettings
from prometheus_client.parser import text_string_to_metric_families
from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.consumer import EventConsumer
from xiangzhi_shared.envelope import headers_for
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import KAFKA, GraphQLClient, fresh_database, scratch_topics, served

REPORT = """mutation ObsReport($input: ReportMatterInput!) { reportMatter(input: $input) { id } }"""
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(gql: GraphQLClient, base_url: str) -> Samples:
    response = await gql.http.get(base_url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def until(gql: GraphQLClient, url: str, holds: Callable[[Samples], bool],
                timeout_s: float = 30) -> Samples:
    for _ in range(int(timeout_s / 0.2)):
        samples = await scrape(gql, url)
        if holds(samples):
            return samples
        await asyncio.sleep(0.2)
    raise AssertionError(f"metrics never reached the expected state: "
                         f"{sorted((n, sorted(lbl), v) for (n, lbl), v in samples.items())}")


async def test_metrics_cover_requests_outbox_consumer_lag_and_dead_letters(tokens):
    consumer_name = f"obs-{uuid.uuid4().hex[:6]}"
    async with fresh_database("obs_metrics") as dsn, scratch_topics("obs", "obsdlq") as topics:
        topic, dlq = topics

        async def apply(conn, event) -> None:
            """The consumer's effect is its inbox row."""

        def consumer(pool, settings, metrics) -> EventConsumer:
            # Built by the app's lifespan with the app's metrics, like a service's own consumer.
            return EventConsumer(pool, settings, name=consumer_name, topics=[topic],
                                 handler=apply, dead_letter_topic=dlq, metrics=metrics)

        settings = GridSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                escalation_interval_s=3600)
        # Only the test's consumer: grid's own consumer groups belong to the stack's grid.
        spec = dataclasses.replace(make_spec(settings), consumers=[consumer])
        app = create_app(spec)
        async with served(app) as url:
            runtime = app.state.runtime
            await seed(runtime.pool)
            gql = GraphQLClient(url)
            try:
                await _requests(gql, url, tokens)
                await _outbox_lag(gql, url, runtime, tokens)
                await _consumer(gql, url, topic, consumer_name)
            finally:
                await gql.close()


async def _requests(gql: GraphQLClient, url: str, tokens) -> None:
    token = tokens("county_admin", region="QY")
    await gql.ok("query ObsRegions { regions { code } }", token=token)
    await gql.ok("query ObsRegions { regions { code } }", token=token)
    body = await gql("query ObsMissing { matter(id: \"nope\") { id } }", token=token)
    assert body.get("errors")
    s = await scrape(gql, url)
    assert value(s, "graphql_requests_total", operation="ObsRegions", outcome="ok") == 2
    assert value(s, "graphql_requests_total", operation="ObsMissing", outcome="error") == 1
    assert value(s, "graphql_request_seconds_count", operation="ObsRegions") == 2
    assert value(s, "graphql_request_seconds_bucket", operation="ObsRegions", le="+Inf") == 2
    assert value(s, "graphql_request_seconds_sum", operation="ObsRegions") > 0


async def _outbox_lag(gql: GraphQLClient, url: str, runtime, tokens) -> None:
    """The lag gauge reports the age of the oldest unpublished row while the relay cannot
    publish, and returns to 0 once it has caught up."""
    for _ in range(150):  # the seed's events go out first
        if not await runtime.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
            break
        await asyncio.sleep(0.2)
    await runtime.relay.stop()  # from here the new row must wait
    published = value(await scrape(gql, url), "outbox_published_events_total",
                      topic="grid.matter.v1") or 0
    await gql.ok(REPORT, {"input": {"title": "积压", "category": "ROAD",
                                    "regionId": str(sid("region", "QY.01.003.01"))}},
                 tokens("village_cadre", region="QY.01.003"))
    await asyncio.sleep(1.5)
    # A real producer whose requests Kafka would refuse: the relay measures the lag, then fails
    # to send, as it does while the broker rejects or is away; nothing is marked published.
    refusing = AIOKafkaProducer(bootstrap_servers=KAFKA, max_request_size=16)
    await refusing.start()
    try:
        try:
            await runtime.relay.publish_batch(refusing)
            raise AssertionError("a 16-byte request limit should refuse every event")
        except MessageSizeTooLargeError:
            pass
    finally:
        await refusing.stop()
    s = await scrape(gql, url)
    assert value(s, "outbox_lag_seconds") >= 1.5
    assert value(s, "outbox_pending_rows") == 1
    await runtime.relay.start()
    await until(gql, url, lambda s: value(s, "outbox_lag_seconds") == 0
                and value(s, "outbox_pending_rows") == 0
                and value(s, "outbox_published_events_total", topic="grid.matter.v1")
                == published + 1)


async def _consumer(gql: GraphQLClient, url: str, topic: str, name: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA)
    await producer.start()
    try:
        msg = MatterEvent(matter_id=str(uuid.uuid4()), note="ok")
        headers = headers_for(str(uuid.uuid4()), "xiangzhi.test.obs", "/test",
                              datetime.now(UTC), msg.DESCRIPTOR.full_name, None)
        await producer.send_and_wait(topic, msg.SerializeToString(), key=b"a", headers=headers)
        # No CloudEvents headers: undecodable, so it goes straight to the dead-letter topic.
        await producer.send_and_wait(topic, b"\x00poison", key=b"b")
    finally:
        await producer.stop()

    def caught_up(s: Samples) -> bool:
        lags = {dict(lbl).get("partition"): v for (n, lbl), v in s.items()
                if n == "consumer_lag_records" and dict(lbl).get("consumer") == name}
        return (value(s, "events_consumed_total", consumer=name, topic=topic, outcome="applied")
                == 1 and value(s, "dead_letter_events_total", consumer=name, topic=topic) == 1
                and set(lags) == {"0", "1", "2"} and set(lags.values()) == {0})

    # The lag is reported per assigned partition (all three), 0 once everything is consumed.
    await until(gql, url, caught_up, 60)
