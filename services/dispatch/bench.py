"""Dispatch benchmark on the local stack: tickets routed per second (reportTicket over
GraphQL, each ticket reported and routed in one transaction, 16 in flight) next to the pure
routing function's decisions per second, and the latency from a report's response to its
record arriving on the partner's feed, read with the partner's own SASL/SCRAM credentials
(p50, p99).

Run by `make bench`; prints a table and one summary line. Figures are medians of repeats:
the machine is shared and noisy. The app runs in-process on a fresh database with the
relay on and its consumers off (it must not replay the broker's history)."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from dispatch.app import make_spec
from dispatch.domain.categories import GENERAL, TicketCategory
from dispatch.domain.coordinators import Authorisation, Candidate, Certificate
from dispatch.domain.routing import route_ticket
from dispatch.seed import seed
from dispatch.settings import DispatchSettings
from xiangzhi_shared.demo import VILLAGES, region_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, Tokens, fresh_database, served, topic_partitions

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 3
SECONDS = 5.0
IN_FLIGHT = 16
LATENCY_SAMPLES = 150
PARTNER = "power"
REPORT = """mutation($i: ReportTicketInput!) { reportTicket(input: $i) { id route } }"""


async def _routing_rate(gql: GraphQLClient, token: str) -> float:
    """General work spread over the demo villages: some to coordinators, some escalated."""
    done = 0
    stop_at = time.perf_counter() + SECONDS
    villages = [str(region_id(v)) for v in VILLAGES]

    async def worker(n: int) -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await gql.ok(REPORT, {"i": {"partner": PARTNER, "category": "SIMPLE_CHECK",
                                        "title": "bench", "villageId": villages[done % 6]}},
                         token)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(IN_FLIGHT)))
    return done / (time.perf_counter() - started)


def _pure_routing_rate() -> float:
    """The floor of routing itself: decisions/s of route_ticket over 20 candidates."""
    now = datetime.now(UTC)
    cert = Certificate(date(2020, 1, 1))
    candidates = [Candidate(f"c-{i:02d}", True, cert, (Authorisation(
        PARTNER, frozenset(GENERAL), now - timedelta(days=1),
        now + timedelta(days=1 if i % 3 else -2)),), i % 5) for i in range(20)]
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < 1.0:
        for category in TicketCategory:
            route_ticket(category, PARTNER, candidates, now)
            n += 1
    return n / (time.perf_counter() - started)


def _partner_settings() -> dict[str, str]:
    out = subprocess.run([str(ROOT / "deploy/local/stack"), "partner-credentials", PARTNER,
                          "--json"], check=True, capture_output=True, text=True).stdout
    c = json.loads(out.strip().splitlines()[-1])
    return {"bootstrap_servers": c["bootstrap"], "security_protocol": c["security_protocol"],
            "sasl_mechanism": c["mechanism"], "sasl_plain_username": c["username"],
            "sasl_plain_password": c["password"]}


async def _feed_latencies(gql: GraphQLClient, token: str) -> list[float]:
    """Sequential professional reports; each one's response to its record on the feed."""
    feed = f"partner.{PARTNER}.tickets.v1"
    consumer = AIOKafkaConsumer(**_partner_settings(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    answered: dict[str, float] = {}
    arrived: dict[str, float] = {}
    try:
        tps = [TopicPartition(feed, p) for p in sorted(await topic_partitions(consumer, feed))]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:
            await consumer.position(tp)

        async def read() -> None:
            while len(arrived) < LATENCY_SAMPLES:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    for r in records:
                        key = r.key.decode()
                        arrived.setdefault(key, time.perf_counter())

        reader = asyncio.create_task(read())
        village = str(region_id("QY.01.002"))
        for _ in range(LATENCY_SAMPLES):
            data = await gql.ok(REPORT, {"i": {"partner": PARTNER, "category": "FAULT_REPAIR",
                                               "title": "latency", "villageId": village}}, token)
            answered[data["reportTicket"]["id"]] = time.perf_counter()
            await asyncio.sleep(0.005)
        await asyncio.wait_for(reader, 120)
    finally:
        await consumer.stop()
    return [(arrived[k] - answered[k]) * 1000 for k in answered if k in arrived]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run() -> dict[str, float]:
    tokens = Tokens(Path(tempfile.mkdtemp()))
    token = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    async with fresh_database("dispatchbench") as dsn:
        settings = DispatchSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                    consumers_enabled=False, overdue_interval_s=3600,
                                    log_level="warning")
        app = create_app(make_spec(settings))
        async with served(app) as url:
            await seed(app.state.runtime.pool)
            gql = GraphQLClient(url)
            routed = [await _routing_rate(gql, token) for _ in range(REPEATS)]
            pure = [_pure_routing_rate() for _ in range(REPEATS)]
            lat = [await _feed_latencies(gql, token) for _ in range(REPEATS)]
            await gql.close()
    return {"tickets_routed_per_s": statistics.median(routed),
            "route_ticket_decisions_per_s": statistics.median(pure),
            "report_to_feed_p50_ms": statistics.median(_pct(s, 50) for s in lat),
            "report_to_feed_p99_ms": statistics.median(_pct(s, 99) for s in lat)}


def main() -> dict[str, float]:
    r = asyncio.run(run())
    print(f"dispatch benchmark (medians of {REPEATS} repeats; {IN_FLIGHT} in flight for "
          f"{SECONDS:.0f}s; {LATENCY_SAMPLES} feed samples each)")
    print(f"  {'metric':<34}{'value':>14}")
    for k, v in r.items():
        print(f"  {k:<34}{v:>14.1f}")
    print(f"dispatch-bench: tickets_routed_per_s={r['tickets_routed_per_s']:.1f} "
          f"report_to_feed_p50_ms={r['report_to_feed_p50_ms']:.1f} "
          f"p99_ms={r['report_to_feed_p99_ms']:.1f}")
    return r


if __name__ == "__main__":
    main()
