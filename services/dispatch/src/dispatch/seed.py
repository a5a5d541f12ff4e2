"""Demo data, loaded idempotently by `python -m dispatch seed` (and `make up`): the seven
partners with agreements and rates, the demo county's villages and grids (same ids as grid's
seed, via xiangzhi_shared.demo), a certified coordinator per village with per-utility
authorisations (some expired), and tickets in various states, routed both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.demo import GRIDS, VILLAGES, demo_id

from . import tickets
from .domain.categories import GENERAL, TicketCategory
from .domain.partners import PARTNER_NAMES, Partner
from .domain.tickets import TicketStatus

SEED = Principal(subject="seed", roles=frozenset({"county_admin"}), region="QY")
RATES = {
    TicketCategory.ORDER_KEEPING: Decimal("30.00"),
    TicketCategory.SAFETY_PUBLICITY: Decimal("20.00"),
    TicketCategory.SIMPLE_CHECK: Decimal("25.50"),
    TicketCategory.METER_READING: Decimal("1.80"),
    TicketCategory.SERVICE_AGENCY: Decimal("12.00"),
}
NAMES = "赵钱孙李周吴郑王"
# Villages whose coordinator's authorisations have all expired: their general work escalates.
EXPIRED_IN = {"QY.02.003"}


def coordinator_id(village_code: str):
    return demo_id("person", f"{village_code}/coordinator")


async def _reference_data(conn: asyncpg.Connection, now: datetime) -> None:
    await conn.executemany("INSERT INTO partner (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           [(p.value, PARTNER_NAMES[p]) for p in Partner])
    year = now.year
    for p in Partner:
        aid = demo_id("agreement", p.value)
        await conn.execute(
            """INSERT INTO agreement (id, partner_code, title, scope_items, starts_on, ends_on,
                   status) VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE') ON CONFLICT DO NOTHING""",
            aid, p.value, f"{PARTNER_NAMES[p]}村网共建合作协议",
            ["规划共商", "执法授权", "联合服务", "考核评价"], date(year - 1, 1, 1),
            date(year + 2, 1, 1))
        await conn.executemany(
            "INSERT INTO agreement_rate (agreement_id, category, rate) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING", [(aid, c.value, r) for c, r in RATES.items()])
    places = [(demo_id("region", v), v, n, "VILLAGE") for v, n in VILLAGES.items()]
    places += [(demo_id("region", f"{v}.{g}"), f"{v}.{g}", f"{VILLAGES[v]}{name}", "GRID")
               for v in VILLAGES for g, (name, _) in GRIDS.items()]
    await conn.executemany(
        "INSERT INTO place (id, code, name, level) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name", places)


async def _coordinators(conn: asyncpg.Connection, now: datetime) -> None:
    for i, (v, vname) in enumerate(VILLAGES.items()):
        cid = coordinator_id(v)
        await conn.execute(
            """INSERT INTO coordinator (id, name, village_id, village_code, background,
                   selected_on, selection_note) VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT DO NOTHING""",
            cid, f"{NAMES[i]}网协员", demo_id("region", v), v,
            "FORMER_CADRE" if i % 2 == 0 else "RESERVE_CADRE", date(now.year - 1, 3, 1),
            f"{vname}村民代表会议推选")
        await conn.execute(
            """INSERT INTO training (id, coordinator_id, course, partner_code, completed_on)
               VALUES ($1, $2, '网协员镇企共训（安全与服务规范）', 'power', $3)
               ON CONFLICT DO NOTHING""", demo_id("training", v), cid, date(now.year - 1, 4, 1))
        await conn.execute(
            """INSERT INTO certificate (coordinator_id, number, issued_on, expires_on)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
            cid, f"WX-{v}", date(now.year - 1, 4, 15), date(now.year + 3, 4, 15))
        expired = v in EXPIRED_IN
        for p in Partner:
            start = now - timedelta(days=400)
            until = now - timedelta(days=30) if expired else now + timedelta(days=365)
            await conn.execute(
                """INSERT INTO authorisation (id, coordinator_id, partner_code, scope, valid_from,
                       expires_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
                demo_id("authorisation", f"{v}/{p.value}"), cid, p.value,
                sorted(c.value for c in GENERAL), start, until)


# (partner, category, village, grid, title, how far it goes)
DEMO_TICKETS = [
    ("power", TicketCategory.FAULT_REPAIR, "QY.01.001", "01", "台区变压器跳闸", TicketStatus.ROUTED),
    ("power", TicketCategory.SAFETY_PUBLICITY, "QY.01.001", "02", "汛期用电安全宣传",
     TicketStatus.RESOLVED),
    ("water", TicketCategory.METER_READING, "QY.01.002", "01", "二组水表抄表", TicketStatus.CONFIRMED),
    ("gas", TicketCategory.LINE_MAINTENANCE, "QY.01.003", "01", "燃气管线巡护",
     TicketStatus.IN_PROGRESS),
    ("telecom", TicketCategory.SIMPLE_CHECK, "QY.02.001", "02", "光交箱门未关", TicketStatus.ACCEPTED),
    ("mobile", TicketCategory.ORDER_KEEPING, "QY.02.002", "01", "基站施工现场秩序维护",
     TicketStatus.ROUTED),
    # The coordinator here has only expired authorisations: escalated to the partner.
    ("broadcast", TicketCategory.SIMPLE_CHECK, "QY.02.003", "01", "有线电视信号差",
     TicketStatus.ROUTED),
    ("post", TicketCategory.SERVICE_AGENCY, "QY.02.002", "02", "代收邮件点登记",
     TicketStatus.RESOLVED),
]


async def _tickets(pool: asyncpg.Pool) -> int:
    if await pool.fetchval("SELECT count(*) FROM ticket WHERE reporter_id = 'seed'"):
        return 0
    for partner, category, village, grid, title, last in DEMO_TICKETS:
        row = await tickets.report(
            pool, SEED, partner=partner, category=category, village_id=str(demo_id("region", village)),
            grid_id=str(demo_id("region", f"{village}.{grid}")), title=title,
            description=f"演示工单：{title}", location=f"{VILLAGES[village]}{grid}组",
            photo_refs=[f"demo/photos/{village}-{grid}.jpg"])
        if row["route"] == "COORDINATOR":
            worker = Principal(subject=str(row["coordinator_id"]), roles=frozenset({"coordinator"}),
                               region=village)
        else:
            worker = Principal(subject=f"{partner}-specialist", roles=frozenset({"utility_staff"}),
                               partner=partner)
        for status in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED):
            if tickets.rules.RANK[status] > tickets.rules.RANK[last] or last is TicketStatus.ROUTED:
                break
            await tickets.work(pool, worker, str(row["id"]), status, "已处理，现场拍照留存")
        if last is TicketStatus.CONFIRMED:
            await tickets.confirm_or_reopen(pool, SEED, str(row["id"]), reopen=False)
    return len(DEMO_TICKETS)


async def seed(pool: asyncpg.Pool, _spec: object = None) -> str:
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        await _reference_data(conn, now)
        await _coordinators(conn, now)
    created = await _tickets(pool)
    counts = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM partner) AS partners, (SELECT count(*) FROM coordinator) "
        "AS coordinators, (SELECT count(*) FROM ticket) AS tickets, (SELECT count(*) FROM "
        "work_record) AS work")
    return (f"dispatch demo: {counts['partners']} partners, {counts['coordinators']} "
            f"coordinators, {counts['tickets']} tickets ({created} new), {counts['work']} "
            "work records")
