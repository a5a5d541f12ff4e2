"""Demo data for the fictional county 青源县 (QY), loaded idempotently by `python -m coop
seed` (and `make up`): the county co-op and its two base co-ops (ids shared with the shares
service through xiangzhi_shared.demo), stock, grade prices, service teams, every demo
village's spring demand, some orders, purchases and bookings, targets and a loan, and one
settlement for last month published through the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.demo import COUNTY, TOWNSHIPS, VILLAGES, demo_id, region_id, resident_id

from . import bookings, demand, orders, purchases, settlements, targets
from .domain.periods import period_of
from .domain.trade import BuyerKind, DemandKind

COUNTY_ADMIN = Principal(subject="seed", roles=frozenset({"county_admin"}), region="QY")

INPUTS = [  # sku, name, category, unit, list price, unit cost, stock per base co-op
    ("UREA-50KG", "尿素", "FERTILISER", "50kg袋", "150.00", "128.50", 400),
    ("NPK-40KG", "复合肥 15-15-15", "FERTILISER", "40kg袋", "168.00", "141.00", 300),
    ("RICE-SEED-1KG", "杂交水稻种子", "SEED", "1kg袋", "45.00", "36.80", 800),
    ("MAIZE-SEED-1KG", "玉米种子", "SEED", "1kg袋", "38.00", "30.20", 500),
    ("FILM-5KG", "地膜", "FILM", "5kg卷", "65.00", "52.00", 200),
]
DISCOUNTS = {"UREA-50KG": Decimal("0.05"), "NPK-40KG": Decimal("0.03")}
PRODUCE = [("RICE", "稻谷"), ("MAIZE", "玉米"), ("TEA", "茶青")]
PRICES = {  # produce: {grade: (price paid per kg, offtake price per kg)}
    "RICE": {"A": ("3.10", "3.45"), "B": ("2.90", "3.20"), "C": ("2.60", "2.85")},
    "MAIZE": {"A": ("2.40", "2.70"), "B": ("2.20", "2.45")},
    "TEA": {"A": ("18.00", "21.50"), "B": ("12.00", "14.20")},
}
TEAMS = [  # key, kind, name suffix, capacity mu/day, price/mu, cost/mu
    ("plough", "PLOUGH", "农机耕整队", "120", "80.00", "55.00"),
    ("sow", "SOW", "机插秧队", "80", "70.00", "48.00"),
    ("harvest", "HARVEST", "联合收割机组", "100", "90.00", "62.00"),
    ("dry", "DRY", "烘干中心", "150", "40.00", "26.00"),
]


def base_coop_id(township: str):
    """The id the shares service keys the base co-op's register by."""
    return demo_id("basecoop", township)


def _team_id(township: str, key: str):
    return demo_id("serviceteam", f"{township}/{key}")


async def _organisation(conn: asyncpg.Connection) -> None:
    county_id = demo_id("countycoop", COUNTY[0])
    await conn.execute(
        """INSERT INTO coop (id, kind, name, region_id, region_code) VALUES ($1, 'COUNTY', $2, $3, $4)
           ON CONFLICT (id) DO NOTHING""",
        county_id, f"{COUNTY[1]}供销合作社联合社", region_id(COUNTY[0]), COUNTY[0])
    await conn.executemany(
        """INSERT INTO coop (id, kind, name, region_id, region_code, parent_id)
           VALUES ($1, 'BASE', $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING""",
        [(base_coop_id(t), f"{name}基层供销合作社有限公司", region_id(t), t, county_id)
         for t, name in TOWNSHIPS.items()])
    await conn.executemany(
        """INSERT INTO member_village (id, code, name, coop_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO NOTHING""",
        [(region_id(v), v, name, base_coop_id(v.rsplit(".", 1)[0])) for v, name in VILLAGES.items()])


async def _catalogue(conn: asyncpg.Connection) -> None:
    await conn.executemany(
        """INSERT INTO input_item (id, sku, name, category, unit, unit_price)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING""",
        [(demo_id("input", sku), sku, name, cat, unit, Decimal(price))
         for sku, name, cat, unit, price, _, _ in INPUTS])
    await conn.executemany(
        """INSERT INTO stock (coop_id, item_id, qty, unit_cost) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""",
        [(base_coop_id(t), demo_id("input", sku), qty, Decimal(cost))
         for t in TOWNSHIPS for sku, _, _, _, _, cost, qty in INPUTS])
    await conn.executemany(
        """INSERT INTO discount_rule (item_id, rate, set_by, set_at) VALUES ($1, $2, 'seed', now())
           ON CONFLICT DO NOTHING""",
        [(demo_id("input", sku), rate) for sku, rate in DISCOUNTS.items()])
    await conn.executemany(
        "INSERT INTO produce (id, code, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [(demo_id("produce", code), code, name) for code, name in PRODUCE])
    this_year = datetime.now(UTC).year
    await conn.executemany(
        """INSERT INTO produce_price (id, coop_id, produce_id, grade, price_per_kg, resale_per_kg,
                                      valid_from, valid_to)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""",
        [(demo_id("price", f"{t}/{code}/{g}"), base_coop_id(t), demo_id("produce", code), g,
          Decimal(paid), Decimal(resale), date(this_year - 1, 1, 1), date(this_year + 1, 12, 31))
         for t in TOWNSHIPS for code, grades in PRICES.items()
         for g, (paid, resale) in grades.items()])
    await conn.executemany(
        """INSERT INTO service_team (id, coop_id, kind, name, capacity_mu, price_per_mu, cost_per_mu)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""",
        [(_team_id(t, key), base_coop_id(t), kind, f"{TOWNSHIPS[t]}{suffix}", Decimal(cap),
          Decimal(price), Decimal(cost))
         for t in TOWNSHIPS for key, kind, suffix, cap, price, cost in TEAMS])


def _cadre(village: str) -> Principal:
    return Principal(subject=f"seed-cadre-{village}", roles=frozenset({"village_cadre"}),
                     region=village)


async def _demand(pool: asyncpg.Pool, season: str) -> None:
    for i, village in enumerate(VILLAGES):
        lines = [(DemandKind.INPUT, "UREA-50KG", Decimal(40 + 10 * i)),
                 (DemandKind.INPUT, "NPK-40KG", Decimal(20 + 5 * i)),
                 (DemandKind.INPUT, "RICE-SEED-1KG", Decimal(60 + 15 * i)),
                 (DemandKind.SERVICE, "PLOUGH", Decimal(150 + 20 * i)),
                 (DemandKind.PRODUCE, "RICE", Decimal(20000 + 2500 * i))]
        await demand.file_report(pool, _cadre(village), season=season, lines=lines,
                                 note="村两委汇总各组需求")


async def _trade(pool: asyncpg.Pool, at: datetime, township: str, n: int) -> None:
    """A little of everything at `at` for the first villages of a township."""
    clock = lambda: at  # noqa: E731 - a fixed moment for this batch
    coop = str(base_coop_id(township))
    villages = [v for v in VILLAGES if v.startswith(township + ".")]
    for i, village in enumerate(villages[:n]):
        farmer = str(resident_id(f"{village}.01", i % 4))
        order = await orders.place(
            pool, COUNTY_ADMIN, coop_id=coop, farmer_id=farmer, village_code=village,
            lines=[(str(demo_id("input", "UREA-50KG")), 4),
                   (str(demo_id("input", "RICE-SEED-1KG")), 10)], clock=clock)
        await orders.pay(pool, COUNTY_ADMIN, str(order["id"]), idempotency_key=f"seed-{order['id']}",
                         clock=clock)
        collective = await orders.place(
            pool, _cadre(village), coop_id=coop, buyer=BuyerKind.COLLECTIVE,
            lines=[(str(demo_id("input", "NPK-40KG")), 20)], clock=clock)
        await orders.pay(pool, _cadre(village), str(collective["id"]),
                         idempotency_key=f"seed-{collective['id']}", method="BANK_TRANSFER",
                         clock=clock)
        lot = await purchases.record(
            pool, COUNTY_ADMIN, coop_id=coop, farmer_id=farmer, village_code=village,
            produce_code="RICE", grade="AB"[i % 2], weight_kg=Decimal("1234.567") + i * 100,
            clock=clock)
        await purchases.pay(pool, COUNTY_ADMIN, str(lot["id"]), idempotency_key=f"seed-{lot['id']}",
                            clock=clock)
        booking = await bookings.book(
            pool, COUNTY_ADMIN, team_id=str(_team_id(township, "plough")),
            service_date=at.date(), area_mu=Decimal("12.5") + i, farmer_id=farmer,
            village_code=village, clock=clock)
        await bookings.complete(pool, COUNTY_ADMIN, str(booking["id"]), "已完成旋耕", clock=clock)


async def _current(pool: asyncpg.Pool) -> None:
    """Open business today: a reserved order, an unpaid lot, a booking next week."""
    village = "QY.02.001"
    farmer = str(resident_id(f"{village}.01", 1))
    coop = str(base_coop_id("QY.02"))
    await orders.place(pool, COUNTY_ADMIN, coop_id=coop, farmer_id=farmer, village_code=village,
                       lines=[(str(demo_id("input", "MAIZE-SEED-1KG")), 6)])
    await purchases.record(pool, COUNTY_ADMIN, coop_id=coop, farmer_id=farmer,
                           village_code=village, produce_code="TEA", grade="A",
                           weight_kg=Decimal("86.4"))
    await bookings.book(pool, COUNTY_ADMIN, team_id=str(_team_id("QY.02", "harvest")),
                        service_date=datetime.now(UTC).date() + timedelta(days=7),
                        area_mu=Decimal("30"), farmer_id=farmer, village_code=village)


async def _targets_and_loans(pool: asyncpg.Pool, year: int) -> None:
    for i, village in enumerate(VILLAGES):
        await targets.set_target(pool, COUNTY_ADMIN, village_code=village, year=year,
                                 amount=Decimal(50000 + 10000 * i))
    loan = await targets.arrange_loan(
        pool, COUNTY_ADMIN, village_code="QY.01.002", borrower="柳溪村股份经济合作社",
        lender="青源农商银行", principal=Decimal("200000.00"), annual_rate=Decimal("0.0385"),
        due_on=date(year + 1, 12, 31))
    await targets.record_repayment(pool, COUNTY_ADMIN, str(loan["id"]),
                                   amount=Decimal("50000.00"), idempotency_key="seed-loan-1")


async def seed(pool: asyncpg.Pool, _spec: object = None) -> str:
    async with pool.acquire() as conn, conn.transaction():
        await _organisation(conn)
        await _catalogue(conn)
    now = datetime.now(UTC)
    if not await pool.fetchval("SELECT count(*) FROM sales_order WHERE placed_by = 'seed'"):
        await _demand(pool, f"{now.year}-SPRING")
        first_of_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        last_month = (first_of_month - timedelta(days=20)).replace(hour=9)
        await _trade(pool, last_month, "QY.01", 2)
        await _trade(pool, last_month, "QY.02", 1)
        await _current(pool)
        await _targets_and_loans(pool, now.year)
        await settlements.settle_period(pool, COUNTY_ADMIN, coop_id=str(base_coop_id("QY.01")),
                                        period=period_of(last_month))
    counts = await pool.fetchrow(
        """SELECT (SELECT count(*) FROM coop) AS coops, (SELECT count(*) FROM sales_order) AS orders,
                  (SELECT count(*) FROM purchase_lot) AS lots,
                  (SELECT count(*) FROM service_booking) AS bookings,
                  (SELECT count(*) FROM settlement) AS settlements""")
    return (f"demo county QY: {counts['coops']} co-ops, {counts['orders']} orders, "
            f"{counts['lots']} produce lots, {counts['bookings']} bookings, "
            f"{counts['settlements']} settlement(s)")
