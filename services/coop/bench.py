"""Coop benchmark on the local stack: input orders per second over GraphQL with and without
contention on one item, and service bookings per second, against a served app on a fresh
database (16 requests in flight from one client process).

- uncontended: each worker orders its own item, so no two transactions want the same row;
- contended: every worker orders the same item, so each reservation waits for the row lock
  of the one before it (the price of "stock never goes negative");
- bookings: workers book one team over many days (each booking locks its team-day row).

Run by `make bench`; prints a table and one summary line. Figures are medians of repeats: the
machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coop.app import make_spec
from coop.seed import base_coop_id, seed
from coop.settings import CoopSettings
from xiangzhi_shared.demo import resident_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, Tokens, fresh_database, served

REPEATS = 3
SECONDS = 4.0
IN_FLIGHT = 16
COOP = str(base_coop_id("QY.01"))
PLACE = """mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }"""
BOOK = """mutation($i: BookServiceInput!) { bookService(input: $i) { id } }"""


async def _new_item(gql: GraphQLClient, county: str, staff: str) -> str:
    data = await gql.ok("""mutation($i: InputItemInput!) { addInputItem(input: $i) { id } }""",
                        {"i": {"sku": f"B-{uuid.uuid4().hex[:10]}", "name": "bench", "unit": "袋",
                               "category": "FERTILISER", "unitPrice": "100.00"}}, county)
    item = data["addInputItem"]["id"]
    await gql.ok("""mutation($c: ID!, $i: ID!) { receiveStock(coopId: $c, itemId: $i,
                      quantity: 1000000, unitCost: "80.00") }""", {"c": COOP, "i": item}, staff)
    return item


async def _rate(work) -> float:
    done = 0
    stop_at = time.perf_counter() + SECONDS

    async def worker(n: int) -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await work(n, done)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(IN_FLIGHT)))
    return done / (time.perf_counter() - started)


async def run() -> dict[str, float]:
    tokens = Tokens(Path(tempfile.mkdtemp()))
    county = tokens("county_admin", region="QY", subject="bench-county")
    staff = tokens("coop_staff", region="QY.01", subject="bench-staff")
    farmers = [tokens("resident", region="QY.01.001.01",
                      subject=str(resident_id("QY.01.001.01", n % 4))) for n in range(IN_FLIGHT)]
    async with fresh_database("coopbench") as dsn:
        settings = CoopSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                log_level="warning", database_pool_max=IN_FLIGHT + 4)
        app = create_app(make_spec(settings))
        async with served(app) as url:
            await seed(app.state.runtime.pool)
            gql = GraphQLClient(url)
            own_items = [await _new_item(gql, county, staff) for _ in range(IN_FLIGHT)]
            shared_item = await _new_item(gql, county, staff)
            team = (await gql.ok(
                """mutation($i: ServiceTeamInput!) { addServiceTeam(input: $i) { id } }""",
                {"i": {"coopId": COOP, "kind": "PLOUGH", "name": "bench", "capacityMu": "99999",
                       "pricePerMu": "80", "costPerMu": "50"}}, staff))["addServiceTeam"]["id"]
            today = datetime.now(UTC).date()

            async def order_own(n: int, _: int) -> None:
                await gql.ok(PLACE, {"i": {"coopId": COOP, "lines": [
                    {"itemId": own_items[n], "quantity": 1}]}}, farmers[n])

            async def order_shared(n: int, _: int) -> None:
                await gql.ok(PLACE, {"i": {"coopId": COOP, "lines": [
                    {"itemId": shared_item, "quantity": 1}]}}, farmers[n])

            async def book(n: int, i: int) -> None:
                day = today + timedelta(days=1 + (i % 300))
                await gql.ok(BOOK, {"i": {"teamId": team, "date": day.isoformat(),
                                          "areaMu": "1.5"}}, farmers[n])

            results: dict[str, list[float]] = {"orders_per_s_uncontended": [],
                                               "orders_per_s_one_item": [],
                                               "bookings_per_s": []}
            for _ in range(REPEATS):
                results["orders_per_s_uncontended"].append(await _rate(order_own))
                results["orders_per_s_one_item"].append(await _rate(order_shared))
                results["bookings_per_s"].append(await _rate(book))
            await gql.close()
    medians = {k: statistics.median(v) for k, v in results.items()}
    medians["contention_ratio"] = (medians["orders_per_s_one_item"]
                                   / medians["orders_per_s_uncontended"])
    return medians


def main() -> dict[str, float]:
    r = asyncio.run(run())
    print(f"coop benchmark (medians of {REPEATS} repeats, {IN_FLIGHT} in flight, "
          f"{SECONDS:.0f}s each)")
    print(f"  {'metric':<34}{'value':>12}")
    for k, v in r.items():
        print(f"  {k:<34}{v:>12.2f}")
    print(f"coop-bench: orders_per_s={r['orders_per_s_uncontended']:.1f} "
          f"one_item_orders_per_s={r['orders_per_s_one_item']:.1f} "
          f"bookings_per_s={r['bookings_per_s']:.1f}")
    return r


if __name__ == "__main__":
    main()
