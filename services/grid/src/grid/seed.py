"""A fictional demo county, loaded idempotently by `python -m grid seed` (and `make up`).

青源县 (QY) with two townships, six villages, two grids each, people on every grid, and
matters in every state of the loop. Ids are derived from codes, so a second run finds
everything in place and adds nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.demo import (
    COUNTY,
    GRIDS,
    RESIDENTS_PER_GRID,
    TOWNSHIPS,
    VILLAGES,
    demo_id,
    resident_id,
)

from . import list_items, matters, service_requests
from .domain.lists import ListKind
from .domain.matters import MatterCategory
from .domain.services import ServiceKind

SURNAMES = "王李张刘陈杨赵黄周吴徐孙"
SEED = Principal(subject="seed", roles=frozenset({"county_admin"}), region="QY")


sid = demo_id  # stable ids: the same demo row gets the same id on every run and machine


async def _regions(conn: asyncpg.Connection) -> None:
    rows = [(COUNTY[0], COUNTY[1], "COUNTY", None, None)]
    rows += [(c, n, "TOWNSHIP", COUNTY[0], None) for c, n in TOWNSHIPS.items()]
    rows += [(c, n, "VILLAGE", c.rsplit(".", 1)[0], None) for c, n in VILLAGES.items()]
    rows += [(f"{v}.{g}", f"{VILLAGES[v]}{name}", "GRID", v, drawn)
             for v in VILLAGES for g, (name, drawn) in GRIDS.items()]
    await conn.executemany(
        """INSERT INTO region (id, code, name, level, parent_id, drawn_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING""",
        [(sid("region", c), c, n, lvl, sid("region", p) if p else None, d)
         for c, n, lvl, p, d in rows])


async def _people(conn: asyncpg.Connection) -> None:
    people: list[tuple[Any, ...]] = []
    for i, v in enumerate(VILLAGES):
        people.append((sid("person", f"{v}/secretary"), "CADRE", f"{SURNAMES[i]}书记", v,
                       None, None, "村党组织书记"))
        people.append((sid("person", f"{v}/director"), "CADRE", f"{SURNAMES[i + 1]}主任", v,
                       None, None, "村委会主任"))
        people.append((sid("person", f"{v}/party"), "PARTY_MEMBER", f"{SURNAMES[i + 2]}党员", v,
                       f"{VILLAGES[v]}一组至三组", "环境整治示范岗", None))
        for g in GRIDS:
            people.append((sid("person", f"{v}.{g}/worker"), "GRID_WORKER",
                           f"{SURNAMES[(i + int(g)) % 12]}网格员", f"{v}.{g}", None, None, None))
    await conn.executemany(
        """INSERT INTO person (id, kind, name, region_id, responsibility_area, demonstration_post,
                               post)
           SELECT $1, $2, $3, r.id, $5, $6, $7 FROM region r WHERE r.code = $4
           ON CONFLICT (id) DO NOTHING""", people)
    today = datetime.now(UTC).date()
    shifts = [(sid("duty", f"{v}/{today + timedelta(days=d)}"), sid("region", v),
               sid("person", f"{v}/{'secretary' if d % 2 == 0 else 'director'}"),
               today + timedelta(days=d)) for v in VILLAGES for d in range(7)]
    await conn.executemany(
        """INSERT INTO duty_shift (id, village_id, cadre_id, duty_date)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""", shifts)


async def _residents(conn: asyncpg.Connection) -> None:
    households, residents = [], []
    groups = [["ELDERLY"], [], ["LEFT_BEHIND_CHILD"], ["HARDSHIP", "ELDERLY"]]
    for i, v in enumerate(VILLAGES):
        for g in GRIDS:
            code = f"{v}.{g}"
            for h in range(2):
                households.append((sid("household", f"{code}/{h}"), sid("region", code),
                                   f"{h + 1}号"))
            for n in range(RESIDENTS_PER_GRID):
                residents.append((resident_id(code, n), sid("household", f"{code}/{n // 2}"),
                                  sid("region", code), f"{SURNAMES[(i + n) % 12]}某{n + 1}",
                                  groups[n]))
    await conn.executemany("INSERT INTO household (id, grid_id, label) VALUES ($1, $2, $3) "
                           "ON CONFLICT DO NOTHING", households)
    await conn.executemany(
        """INSERT INTO resident (id, household_id, grid_id, display_name, special_groups)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""", residents)


# (title, category, grid, how far along the loop it goes)
DEMO_MATTERS = [
    ("村口路灯不亮", MatterCategory.UTILITY_POWER, "QY.01.001.01", "reported"),
    ("自来水水压低", MatterCategory.UTILITY_WATER, "QY.01.001.02", "accepted"),
    ("邻里宅基地纠纷", MatterCategory.DISPUTE, "QY.01.002.01", "assigned"),
    ("河道垃圾清理", MatterCategory.ENVIRONMENT, "QY.01.002.02", "handled"),
    ("田间道路破损", MatterCategory.ROAD, "QY.01.003.01", "closed"),
    ("独居老人取暖求助", MatterCategory.SOCIAL_ASSISTANCE, "QY.02.001.01", "followed_up"),
    ("变压器异响", MatterCategory.UTILITY_POWER, "QY.02.002.01", "assigned"),
    ("燃气管道异味", MatterCategory.UTILITY_GAS, "QY.02.003.02", "accepted"),
]
STEPS = ["accepted", "assigned", "handled", "closed", "followed_up"]


async def _matters(pool: asyncpg.Pool) -> int:
    if await pool.fetchval("SELECT count(*) FROM matter WHERE reported_by = 'seed'"):
        return 0
    for i, (title, category, grid, last) in enumerate(DEMO_MATTERS):
        row = await matters.report(pool, SEED, title=title, description=f"演示事项：{title}",
                                   category=category, region_id=str(sid("region", grid)),
                                   location=f"{grid} 附近", reporter_id=str(resident_id(grid, i % 4)))
        for step in STEPS[: STEPS.index(last) + 1] if last != "reported" else []:
            args: dict[str, Any] = {
                "assigned": {"assignee_id": str(sid("person", f"{grid}/worker"))},
                "handled": {"record": "已到现场处理并拍照留存"},
                "closed": {"summary": "处理完毕，群众认可"},
                "followed_up": {"satisfaction": 5, "remark": "电话回访，非常满意"},
            }.get(step, {})
            action = {"accepted": "accept", "assigned": "assign", "handled": "handle",
                      "closed": "close", "followed_up": "follow_up"}[step]
            await matters.transition(pool, SEED, str(row["id"]), action, **args)
    # One matter accepted long ago: overdue, so the scheduler escalates it to the township.
    old = datetime.now(UTC) - timedelta(days=5)
    row = await matters.report(pool, SEED, title="排水沟堵塞", description="雨季前需疏通",
                               category=MatterCategory.ENVIRONMENT,
                               region_id=str(sid("region", "QY.02.001.02")), location=None,
                               reporter_id=None, clock=lambda: old)
    await matters.transition(pool, SEED, str(row["id"]), "accept", clock=lambda: old)
    return len(DEMO_MATTERS) + 1


async def _lists_and_services(pool: asyncpg.Pool) -> None:
    if await pool.fetchval("SELECT count(*) FROM list_item"):
        return
    v = str(sid("region", "QY.01.001"))
    await list_items.publish(pool, SEED, kind=ListKind.RESOURCE, title="镇卫生院义诊团队",
                             description="每月一次进村义诊", region_id=str(sid("region", "QY.01")))
    demand = await list_items.publish(pool, SEED, kind=ListKind.DEMAND, title="留守儿童课后辅导",
                                      description=None, region_id=v)
    await list_items.claim(pool, SEED, str(demand["id"]), "东湖镇中心小学")
    await list_items.record_progress(pool, SEED, str(demand["id"]), 40, "已开班两次")
    await list_items.publish(pool, SEED, kind=ListKind.RESPONSIBILITY, title="防汛巡查责任段",
                             description=None, region_id=v)
    soon = datetime.now(UTC) + timedelta(days=2)
    await service_requests.request(pool, SEED, kind=ServiceKind.APPOINTMENT, subject="社保卡补办预约",
                                   resident_id=str(resident_id("QY.01.001.01", 0)),
                                   scheduled_for=soon)
    await service_requests.request(pool, SEED, kind=ServiceKind.PROXY_ERRAND, subject="代办高龄补贴申请",
                                   resident_id=str(resident_id("QY.01.001.01", 3)),
                                   scheduled_for=None)
    await service_requests.request(pool, SEED, kind=ServiceKind.VISIT, subject="走访独居老人",
                                   resident_id=str(resident_id("QY.01.001.02", 0)),
                                   scheduled_for=None)


async def seed(pool: asyncpg.Pool, _spec: object = None) -> str:
    async with pool.acquire() as conn, conn.transaction():
        await _regions(conn)
        await _people(conn)
        await _residents(conn)
    created = await _matters(pool)
    await _lists_and_services(pool)
    counts = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM region) AS regions, (SELECT count(*) FROM resident) AS "
        "residents, (SELECT count(*) FROM matter) AS matters")
    return (f"demo county QY: {counts['regions']} regions, {counts['residents']} residents, "
            f"{counts['matters']} matters ({created} new)")


