"""Builders shared by the shares tests: a fresh register with parties, through use cases."""

from __future__ import annotations

import uuid
from typing import Any

from shares import registers
from shares.domain.registers import Basis, PartyKind, RegisterKind, ShareClass
from xiangzhi_shared.auth import Principal

ADMIN = Principal(subject="admin-a", roles=frozenset({"county_admin"}), region="QY")
REVIEWER = Principal(subject="admin-b", roles=frozenset({"county_admin"}), region="QY")


async def company_with_holders(pool: Any, n: int, shares: int = 100,
                               region: str = "QY.01.001") -> tuple[str, list[str]]:
    """A village company register (transfers with approval) with n holders of `shares` each."""
    reg = await registers.open_register(
        pool, ADMIN, kind=RegisterKind.VILLAGE_COMPANY, name=f"村投公司 {uuid.uuid4().hex[:6]}",
        region_code=region, external_ref=str(uuid.uuid4()), owner_party_id=None)
    holders = []
    for i in range(n):
        party = await registers.register_party(pool, ADMIN, party_id=None,
                                               kind=PartyKind.LEADING_ENTERPRISE,
                                               name=f"企业{i}", region_code=None)
        await registers.admit_holder(pool, ADMIN, str(reg["id"]), str(party["id"]))
        await registers.issue(pool, ADMIN, registers.Issuance(
            register_id=str(reg["id"]), holder_id=str(party["id"]), share_class=ShareClass.CAPITAL,
            shares=shares, basis=Basis.CASH, basis_value=f"{shares * 10}.00"))
        holders.append(str(party["id"]))
    return str(reg["id"]), holders


def transfer(register_id: str, a: str, b: str, shares: int) -> registers.Transfer:
    return registers.Transfer(register_id=register_id, from_holder_id=a, to_holder_id=b,
                              share_class=ShareClass.CAPITAL, shares=shares,
                              approval_ref="董事会决议", approved_by="董事会")
