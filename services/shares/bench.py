"""Benchmark of the shares service: `python services/shares/bench.py [--repeat N]`.

1. A distribution over 100,000 holders: the pure allocation (固定分红+盈利, largest remainder)
   and the same run created in the database (allocations written) — time and peak Python
   memory (tracemalloc), repeated, median reported.
2. Transfers per second under contention: W concurrent workers transferring between a few
   holders of one register (every transfer locks that register), against the running
   PostgreSQL of the local stack, on a scratch database dropped afterwards.

Prints a table. Needs the local stack (PostgreSQL); `make bench` runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))

from shares import distributions, registers  # noqa: E402
from shares.domain.allocation import Position, distribute  # noqa: E402
from shares.domain.registers import Basis, PartyKind, RegisterKind, ShareClass  # noqa: E402
from xiangzhi_shared.auth import Principal  # noqa: E402
from xiangzhi_shared.db import create_pool  # noqa: E402
from xiangzhi_shared.migrations import SHARED_MIGRATIONS, migrate  # noqa: E402
from xiangzhi_shared.testing import fresh_database  # noqa: E402

ADMIN = Principal(subject="bench", roles=frozenset({"county_admin"}), region="QY")
MIGRATIONS = Path(__file__).parent / "src" / "shares" / "migrations"


def positions(n: int, seed: int = 1) -> list[Position]:
    rnd = random.Random(seed)
    return [Position(f"{uuid.UUID(int=rnd.getrandbits(128))}", rnd.randint(1, 10_000),
                     rnd.randint(0, 1_000_000)) for _ in range(n)]


def measure(fn, repeat: int) -> tuple[float, float]:
    """(median seconds, peak MiB): timed runs without tracing (tracemalloc slows Python
    several times over), then one traced run for the peak."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


async def measure_async(fn, repeat: int) -> tuple[float, float]:
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        await fn(i)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    await fn(repeat)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


async def register_with(pool, n: int) -> str:
    """A register of n holders, loaded in bulk without ledger lines (the benchmark is of the
    run, not the load; this register is therefore not reconciled)."""
    reg = await registers.open_register(pool, ADMIN, kind=RegisterKind.VILLAGE_COMPANY,
                                         name="bench", region_code="QY.01.001",
                                         external_ref=str(uuid.uuid4()), owner_party_id=None)
    ps = positions(n)
    ids = [uuid.UUID(p.key) for p in ps]
    async with pool.acquire() as conn:
        await conn.copy_records_to_table("party", records=[(i, "MEMBER", "m", None) for i in ids],
                                         columns=["id", "kind", "name", "region_code"])
        await conn.copy_records_to_table(
            "holding", records=[(reg["id"], i, i, "CAPITAL", p.shares, p.paid_in_fen)
                                for i, p in zip(ids, ps, strict=True)],
            columns=["register_id", "holder_party_id", "beneficial_party_id", "share_class",
                     "shares", "paid_in_fen"])
    return str(reg["id"])


async def contention(pool, workers: int, per_worker: int, holders_n: int) -> tuple[float, int, int]:
    reg = await registers.open_register(pool, ADMIN, kind=RegisterKind.VILLAGE_COMPANY,
                                        name="contention", region_code="QY.01.001",
                                        external_ref=str(uuid.uuid4()), owner_party_id=None)
    holders = []
    for i in range(holders_n):
        party = await registers.register_party(pool, ADMIN, party_id=None,
                                               kind=PartyKind.LEADING_ENTERPRISE,
                                               name=f"h{i}", region_code=None)
        await registers.admit_holder(pool, ADMIN, str(reg["id"]), str(party["id"]))
        await registers.issue(pool, ADMIN, registers.Issuance(
            register_id=str(reg["id"]), holder_id=str(party["id"]), share_class=ShareClass.CAPITAL,
            shares=1_000, basis=Basis.CASH, basis_value="1000.00"))
        holders.append(str(party["id"]))
    done = refused = 0

    async def worker(seed: int) -> None:
        nonlocal done, refused
        rnd = random.Random(seed)
        for _ in range(per_worker):
            a, b = rnd.sample(holders, 2)
            try:
                await registers.transfer(pool, ADMIN, registers.Transfer(
                    register_id=str(reg["id"]), from_holder_id=a, to_holder_id=b,
                    share_class=ShareClass.CAPITAL, shares=rnd.randint(1, 300),
                    approval_ref="bench", approved_by="bench"))
                done += 1
            except Exception:  # an oversell refused: counted, not timed out
                refused += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(s) for s in range(workers)))
    elapsed = time.perf_counter() - started
    mismatches = await pool.fetchval("SELECT count(*) FROM holding_mismatch WHERE register_id = $1",
                                     reg["id"])
    assert mismatches == 0, "holdings no longer equal the history"
    return (done + refused) / elapsed, done, refused


async def main(repeat: int, holders: int, workers: int) -> None:
    rows: list[tuple[str, str, str, str]] = []
    ps = positions(holders)
    declared = 2_000_000_000_00
    t, mem = measure(lambda: distribute(declared, ps, Fraction(3, 100)), repeat)
    summary = f"alloc_{holders}_ms={t * 1000:.0f} alloc_peak_mib={mem:.1f}"
    rows.append((f"allocate {holders:,} holders (pure)", f"{t * 1000:,.0f} ms", f"{mem:,.1f} MiB",
                 f"median of {repeat}"))
    async with fresh_database("bench_shares") as dsn:
        pool = await create_pool(dsn, max_size=workers + 2)
        try:
            async with pool.acquire() as conn:
                await migrate(conn, SHARED_MIGRATIONS, MIGRATIONS)
            reg = await register_with(pool, holders)

            async def run(i: int) -> None:
                await distributions.create_run(
                    pool, ADMIN, register_id=reg, declared_amount="20000000.00",
                    fixed_rate="0.03", period="bench", idempotency_key=f"bench-{i}")

            t, mem = await measure_async(run, repeat)
            summary += f" db_run_{holders}_ms={t * 1000:.0f} db_run_peak_mib={mem:.1f}"
            rows.append((f"distribution run over {holders:,} holders (DB draft)",
                         f"{t * 1000:,.0f} ms", f"{mem:,.1f} MiB", f"median of {repeat}"))
            tps, done, refused = await contention(pool, workers, 25, 4)
            summary += f" transfers_per_s={tps:.0f}"
            rows.append((f"transfers under contention ({workers} workers, 4 holders)",
                         f"{tps:,.0f} /s", "-", f"{done} done, {refused} refused, reconciled"))
        finally:
            await pool.close()
    width = max(len(r[0]) for r in rows)
    print(f"{'shares benchmark':<{width}}  {'time/rate':>12}  {'peak mem':>10}  note")
    for name, value, memory, note in rows:
        print(f"{name:<{width}}  {value:>12}  {memory:>10}  {note}")
    print(f"shares-bench: {summary}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.repeat, args.holders, args.workers))
