"""Grid benchmark on the local stack: matter mutations per second over GraphQL (report +
accept, one client process, 16 in flight) against a baseline measured in the same run (the
same two transactions written straight through asyncpg, no HTTP/GraphQL), and the latency
from a mutation's commit to its event reaching a Kafka consumer (p50, p99).

Run by `make bench`; prints a table and one summary line. Figures are medians of repeats:
the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from grid.app import make_spec
from grid.seed import seed
from grid.settings import GridSettings
from xiangzhi_shared.demo import region_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, Tokens, TopicTail, fresh_database, served

REPEATS = 3
SECONDS = 5.0
IN_FLIGHT = 16
LATENCY_SAMPLES = 200
REPORT = """mutation($i: ReportMatterInput!) { reportMatter(input: $i) { id } }"""
ACCEPT = "mutation($id: ID!) { acceptMatter(id: $id) { id } }"


async def _graphql_rate(gql: GraphQLClient, token: str) -> float:
    done = 0
    stop_at = time.perf_counter() + SECONDS
    region = str(region_id("QY.01.001.01"))

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            data = await gql.ok(REPORT, {"i": {"title": "bench", "category": "ROAD",
                                               "regionId": region}}, token)
            await gql.ok(ACCEPT, {"id": data["reportMatter"]["id"]}, token)
            done += 2

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return done / (time.perf_counter() - started)


async def _baseline_rate(pool) -> float:
    """The floor: the same state changes with their outbox rows, without the API."""
    from grid import matters
    from xiangzhi_shared.auth import Principal

    admin = Principal(subject="bench", roles=frozenset({"county_admin"}), region="QY")
    done = 0
    stop_at = time.perf_counter() + SECONDS
    region = str(region_id("QY.01.001.01"))

    async def worker() -> None:
        nonlocal done
        from grid.domain.matters import MatterCategory

        while time.perf_counter() < stop_at:
            row = await matters.report(pool, admin, title="bench", description=None,
                                       category=MatterCategory.ROAD, region_id=region,
                                       location=None, reporter_id=None)
            await matters.transition(pool, admin, str(row["id"]), "accept")
            done += 2

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return done / (time.perf_counter() - started)


async def _latencies(gql: GraphQLClient, token: str) -> list[float]:
    """Sequential reports; each one's response (its commit is done) to its event's arrival."""
    region = str(region_id("QY.01.002.01"))
    committed: dict[str, float] = {}
    arrived: dict[str, float] = {}
    async with TopicTail("grid.matter.v1") as tail:
        async def consume() -> None:
            await tail.collect(lambda e: _stamp(e, committed, arrived), count=LATENCY_SAMPLES,
                               timeout_s=120)

        consumer = asyncio.create_task(consume())
        for _ in range(LATENCY_SAMPLES):
            data = await gql.ok(REPORT, {"i": {"title": "latency", "category": "ROAD",
                                               "regionId": region}}, token)
            committed[data["reportMatter"]["id"]] = time.perf_counter()
            await asyncio.sleep(0.005)
        await consumer
    return [(arrived[k] - committed[k]) * 1000 for k in committed if k in arrived]


def _stamp(event, committed: dict[str, float], arrived: dict[str, float]) -> bool:
    if event.type != "xiangzhi.grid.matter.reported" or event.message.title != "latency":
        return False
    arrived.setdefault(event.key, time.perf_counter())
    return True


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run() -> dict[str, float]:
    tokens = Tokens(Path(tempfile.mkdtemp()))
    token = tokens("county_admin", region="QY", subject=str(uuid.uuid4()))
    async with fresh_database("gridbench") as dsn:
        settings = GridSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                escalation_interval_s=3600, log_level="warning")
        app = create_app(make_spec(settings))
        async with served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            gql = GraphQLClient(url)
            api, base = [], []
            for _ in range(REPEATS):
                api.append(await _graphql_rate(gql, token))
                base.append(await _baseline_rate(pool))
            lat = []
            for _ in range(REPEATS):
                lat.append(await _latencies(gql, token))
            await gql.close()
    p50 = statistics.median(_pct(s, 50) for s in lat)
    p99 = statistics.median(_pct(s, 99) for s in lat)
    result = {"graphql_mutations_per_s": statistics.median(api),
              "baseline_mutations_per_s": statistics.median(base),
              "commit_to_consumer_p50_ms": p50, "commit_to_consumer_p99_ms": p99}
    result["ratio_vs_baseline"] = result["graphql_mutations_per_s"] / result[
        "baseline_mutations_per_s"]
    return result


def main() -> dict[str, float]:
    r = asyncio.run(run())
    print(f"grid benchmark (medians of {REPEATS} repeats, {IN_FLIGHT} in flight, "
          f"{SECONDS:.0f}s each)")
    print(f"  {'metric':<34}{'value':>12}")
    for k, v in r.items():
        print(f"  {k:<34}{v:>12.2f}")
    print(f"grid-bench: mutations_per_s={r['graphql_mutations_per_s']:.1f} "
          f"ratio_vs_baseline={r['ratio_vs_baseline']:.2f} "
          f"commit_to_consumer_p50_ms={r['commit_to_consumer_p50_ms']:.1f} "
          f"p99_ms={r['commit_to_consumer_p99_ms']:.1f}")
    return r


if __name__ == "__main__":
    main()
