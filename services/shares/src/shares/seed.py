"""The demo county's collective economy, loaded idempotently by `python -m shares seed`.

- a collective register for each of the six demo villages, its members being the grid demo
  residents (ids from xiangzhi_shared.demo), one member per village not yet joined, whose
  member shares the collective holds for them (代持), and one approved transfer;
- base co-op registers for townships QY.01 and QY.02, held by their villages' collectives
  (the co-op's settlements flow into these);
- a consortium project "x+N" hosted by 柳溪村 with the county SOE holding a social-capital
  shortfall, the collective holding for a member not yet joined, an enclave investment
  飞地抱团 by 杏花村 (another township) of quantified fiscal funds, and an idle office
  quantified into resource shares;
- a posted distribution of the project, and 柳溪村 passing part of its income on to members.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.demo import (
    GRIDS,
    RESIDENTS_PER_GRID,
    TOWNSHIPS,
    VILLAGES,
    demo_id,
    region_id,
    resident_id,
)

from . import distributions, projects, registers
from .domain.registers import Appraisal, Basis, PartyKind, ProxyReason, RegisterKind, ShareClass

SURNAMES = "王李张刘陈杨赵黄周吴徐孙"  # the grid seed's display names, so both read alike
COUNTY_ADMIN = Principal(subject="seed", roles=frozenset({"county_admin"}), region="QY")
REVIEWER = Principal(subject="seed-reviewer", roles=frozenset({"county_admin"}), region="QY")
HOST = "QY.01.002"  # 柳溪村 hosts the consortium project
ENCLAVE = "QY.02.003"  # 杏花村, a weak village of the other township

ORGS = {
    "county-soe": (PartyKind.COUNTY_SOE, "青源县城乡发展投资集团"),
    "finance": (PartyKind.FINANCE, "青源农村商业银行"),
    "leading": (PartyKind.LEADING_ENTERPRISE, "青源牧业有限公司"),
    "social": (PartyKind.SOCIAL_CAPITAL, "青源乡创投资合伙企业"),
}


def org_id(key: str) -> str:
    return str(demo_id("org", key))


def collective_id(village: str) -> str:
    return str(region_id(village))


def members_of(village: str) -> list[tuple[str, str, str]]:
    """(resident id, name, grid code) of a village's demo residents, as grid seeds them."""
    i = list(VILLAGES).index(village)
    return [(str(resident_id(f"{village}.{g}", n)), f"{SURNAMES[(i + n) % 12]}某{n + 1}",
             f"{village}.{g}") for g in GRIDS for n in range(RESIDENTS_PER_GRID)]


async def _parties(pool: asyncpg.Pool) -> None:
    for code, name in VILLAGES.items():
        await registers.register_party(pool, COUNTY_ADMIN, party_id=collective_id(code),
                                       kind=PartyKind.COLLECTIVE, name=f"{name}股份经济合作社",
                                       region_code=code)
        for rid, name_, grid in members_of(code):
            await registers.register_party(pool, COUNTY_ADMIN, party_id=rid,
                                           kind=PartyKind.MEMBER, name=name_, region_code=grid)
    for key, (kind, name) in ORGS.items():
        await registers.register_party(pool, COUNTY_ADMIN, party_id=org_id(key), kind=kind,
                                       name=name, region_code=None)


async def _collectives(pool: asyncpg.Pool) -> dict[str, Any]:
    out = {}
    for code, name in VILLAGES.items():
        reg = await registers.open_register(
            pool, COUNTY_ADMIN, kind=RegisterKind.COLLECTIVE, name=f"{name}股份经济合作社",
            region_code=code, external_ref=collective_id(code), owner_party_id=collective_id(code))
        out[code] = reg
        members = members_of(code)
        for rid, _, _ in members[:-1]:
            await registers.admit_holder(pool, COUNTY_ADMIN, str(reg["id"]), rid)
            await registers.issue(pool, COUNTY_ADMIN, registers.Issuance(
                register_id=str(reg["id"]), holder_id=rid, share_class=ShareClass.MEMBER,
                shares=100, basis=Basis.NONE, note="成员股 按人口配股"))
        # The last resident has not joined yet: the collective holds their member shares.
        await registers.admit_holder(pool, COUNTY_ADMIN, str(reg["id"]), collective_id(code))
        await registers.issue(pool, COUNTY_ADMIN, registers.Issuance(
            register_id=str(reg["id"]), holder_id=collective_id(code),
            beneficial_owner_id=members[-1][0], proxy_reason=ProxyReason.MEMBER_NOT_JOINED,
            share_class=ShareClass.MEMBER, shares=100, basis=Basis.NONE, note="暂未参加成员 集体代持"))
        await registers.transfer(pool, COUNTY_ADMIN, registers.Transfer(
            register_id=str(reg["id"]), from_holder_id=members[0][0],
            to_holder_id=members[1][0], share_class=ShareClass.MEMBER, shares=20,
            approval_ref=f"{name}成员代表会议决议2025-03号", approved_by=f"{name}村委会",
            note="家庭内部转让"))
    return out


async def _base_coops(pool: asyncpg.Pool) -> None:
    for township, name in TOWNSHIPS.items():
        reg = await registers.open_register(
            pool, COUNTY_ADMIN, kind=RegisterKind.BASE_COOP, name=f"{name}基层供销合作社有限公司",
            region_code=township, external_ref=str(demo_id("basecoop", township)),
            owner_party_id=None)
        villages = [c for c in VILLAGES if c.startswith(township + ".")]
        for n, code in enumerate(villages):
            await registers.admit_holder(pool, COUNTY_ADMIN, str(reg["id"]), collective_id(code))
            amount = 100_000 + 50_000 * n
            await registers.issue(pool, COUNTY_ADMIN, registers.Issuance(
                register_id=str(reg["id"]), holder_id=collective_id(code),
                share_class=ShareClass.CAPITAL, shares=amount, basis=Basis.CASH,
                basis_value=f"{amount}.00", note="村集体入股基层供销社"))


async def _project(pool: asyncpg.Pool, collectives: dict[str, Any]) -> dict[str, Any]:
    host_members = members_of(HOST)
    joined_a, joined_b, not_joined = host_members[0][0], host_members[1][0], host_members[-1][0]
    stakes = [(collective_id(HOST), "0.25"), (org_id("county-soe"), "0.25"),
              (org_id("finance"), "0.15"), (org_id("leading"), "0.15"),
              (org_id("social"), "0.10"), (collective_id(ENCLAVE), "0.05"),
              (joined_a, "0.02"), (joined_b, "0.015"), (not_joined, "0.015")]
    project = await projects.create_project(
        pool, COUNTY_ADMIN, name="柳溪村生态养殖代养联合体", host_region_code=HOST,
        total_capital="1000000.00", decision_ref="县国资委批复〔2025〕12号 联合体章程第一版",
        stakes=stakes)
    rid = str(project["register_id"])

    async def pay(holder: str, shares: int, basis: Basis, share_class: ShareClass = ShareClass.CAPITAL,
                  owner: str | None = None, reason: ProxyReason | None = None,
                  appraisal: Appraisal | None = None, note: str | None = None) -> None:
        await registers.issue(pool, COUNTY_ADMIN, registers.Issuance(
            register_id=rid, holder_id=holder, share_class=share_class, shares=shares,
            basis=basis, basis_value=f"{shares}.00", beneficial_owner_id=owner,
            proxy_reason=reason, appraisal=appraisal, note=note))

    await pay(collective_id(HOST), 250_000, Basis.ASSET, ShareClass.RESOURCE,
              appraisal=Appraisal("青源评估〔2025〕第031号", "青源正信资产评估事务所",
                                  "闲置村小学校舍及附属用地，统一量化入股"), note="资产资源盘活量化入股")
    await pay(org_id("county-soe"), 250_000, Basis.CASH)
    await pay(org_id("finance"), 150_000, Basis.CASH)
    await pay(org_id("leading"), 150_000, Basis.CASH)
    await pay(org_id("county-soe"), 100_000, Basis.CASH, owner=org_id("social"),
              reason=ProxyReason.SOCIAL_CAPITAL_SHORTFALL, note="社会资金缺口 县属国企代持")
    await pay(collective_id(ENCLAVE), 50_000, Basis.FISCAL_FUNDS, ShareClass.RESOURCE,
              appraisal=Appraisal("县财政局扶持资金量化文件〔2025〕7号", "青源县财政局",
                                  "薄弱村财政扶持资金量化入股（飞地抱团）"), note="飞地抱团")
    await pay(joined_a, 20_000, Basis.CASH)
    await pay(joined_b, 15_000, Basis.CASH)
    await pay(collective_id(HOST), 15_000, Basis.CASH, owner=not_joined,
              reason=ProxyReason.MEMBER_NOT_JOINED, note="暂未参加成员 集体代持")
    return project


async def _distributions(pool: asyncpg.Pool, project: dict[str, Any],
                         collectives: dict[str, Any]) -> None:
    run = await distributions.create_run(
        pool, COUNTY_ADMIN, register_id=str(project["register_id"]), declared_amount="80000.00",
        fixed_rate="0.05", period="2025", idempotency_key="demo-2025",
        note="固定分红5%+盈利分红")
    await distributions.review_run(pool, REVIEWER, str(run["id"]))
    await distributions.post_run(pool, COUNTY_ADMIN, str(run["id"]))
    host = collectives[HOST]
    onward = await distributions.create_run(
        pool, COUNTY_ADMIN, register_id=str(host["id"]), declared_amount="1000.00",
        fixed_rate=None, period="2025", idempotency_key="demo-2025-members",
        note="联合体分红 按成员股二次分配")
    await distributions.review_run(pool, REVIEWER, str(onward["id"]))
    await distributions.post_run(pool, COUNTY_ADMIN, str(onward["id"]))


async def seed(pool: asyncpg.Pool, spec: object = None) -> str:
    first = next(iter(VILLAGES))
    if await pool.fetchval("SELECT true FROM share_register WHERE kind = 'COLLECTIVE' "
                           "AND external_ref = $1", collective_id(first)):
        return "shares demo data already present"
    await _parties(pool)
    collectives = await _collectives(pool)
    await _base_coops(pool)
    project = await _project(pool, collectives)
    await _distributions(pool, project, collectives)
    return (f"seeded {len(collectives)} collective registers, {len(TOWNSHIPS)} base co-op "
            "registers, 1 consortium project with proxy holdings and an enclave investment, "
            "2 posted distributions")
