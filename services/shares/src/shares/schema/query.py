"""Queries. Every resolver checks the caller's role and region scope before reading."""

from __future__ import annotations

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.errors import Forbidden, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from .. import reads
from ..domain import scope
from ..domain.registers import RegisterKind
from .types import (
    ConsortiumProject,
    DistributionRun,
    DividendAccount,
    DividendEntry,
    Holding,
    ProxyHolding,
    RegisterKindGQL,
    ShareRegister,
    holdings_for,
)


async def load_register(info: Info, register_id: str) -> ShareRegister:
    p = info.context.principal.require()
    async with info.context.pool.acquire() as conn:
        row = await reads.register(conn, parse_id(register_id))
    if row is None:
        raise NotFound(f"register {register_id} not found")
    scope.require_read(p, RegisterKind(row["kind"]), row["region_code"])
    return ShareRegister.from_row(row)


def _resident_id(info: Info) -> str:
    p = info.context.principal.require("resident")
    return str(parse_id(p.subject, "subject"))


@strawberry.type
class Query:
    @strawberry.field(description="My holdings (resident: the token's subject), including "
                      "shares a nominee holds for me.")
    async def my_holdings(self, info: Info) -> list[Holding]:
        return (await holdings_for(info, _resident_id(info)))[0]

    @strawberry.field(description="My dividend credits, newest first.")
    async def my_dividends(self, info: Info) -> list[DividendEntry]:
        pid = parse_id(_resident_id(info))
        async with info.context.pool.acquire() as conn:
            return [DividendEntry.from_row(r) for r in await reads.dividends_of(conn, pid)]

    @strawberry.field(description="My dividend balances, per holder of the account.")
    async def my_dividend_accounts(self, info: Info) -> list[DividendAccount]:
        return (await holdings_for(info, _resident_id(info)))[1]

    @strawberry.field
    async def register(self, info: Info, id: strawberry.ID) -> ShareRegister:
        return await load_register(info, id)

    @strawberry.field(description="The collective register of a village, by village code.")
    async def collective_register(self, info: Info, village_code: str) -> ShareRegister:
        p = info.context.principal.require()
        scope.require_read(p, RegisterKind.COLLECTIVE, village_code)
        async with info.context.pool.acquire() as conn:
            rows = await reads.registers_in(conn, village_code, ["COLLECTIVE"])
        rows = [r for r in rows if r["region_code"] == village_code]
        if not rows:
            raise NotFound(f"no collective register for {village_code}")
        return ShareRegister.from_row(rows[0])

    @strawberry.field(description="Registers in a region subtree (default: your scope) that "
                      "your role may read.")
    async def registers(self, info: Info, region_code: str | None = None,
                        kind: RegisterKindGQL | None = None) -> list[ShareRegister]:  # type: ignore[valid-type]
        p = info.context.principal.require(*{r for roles in scope.READERS.values() for r in roles})
        root = p.scope_root(region_code)
        kinds = [RegisterKind(kind)] if kind else list(RegisterKind)
        kinds = [k for k in kinds if p.has_role(*scope.READERS[k])]
        async with info.context.pool.acquire() as conn:
            rows = await reads.registers_in(conn, root, [k.value for k in kinds])
        return [ShareRegister.from_row(r) for r in rows]

    @strawberry.field(description="代持 both ways: what a nominee holds for others, or who holds "
                      "for a beneficial owner. Only registers in your scope.")
    async def proxy_holdings(self, info: Info, nominee_id: strawberry.ID | None = None,
                             beneficial_owner_id: strawberry.ID | None = None) -> list[ProxyHolding]:
        p = info.context.principal.require()
        if nominee_id is None and beneficial_owner_id is None:
            raise ValidationFailed("give nomineeId or beneficialOwnerId")
        nominee = parse_id(nominee_id, "nomineeId") if nominee_id else None
        owner = parse_id(beneficial_owner_id, "beneficialOwnerId") if beneficial_owner_id else None
        if not (owner is not None and nominee is None and scope.resident_self(p, str(owner))):
            p.require(*scope.VILLAGE_STAFF)
        async with info.context.pool.acquire() as conn:
            rows = await reads.proxies(conn, nominee=nominee, owner=owner)
        if not scope.resident_self(p, str(owner)):
            rows = [r for r in rows if p.has_role(*scope.READERS[RegisterKind(r["register_kind"])])
                    and p.sees_region(r["region_code"])]
        return [ProxyHolding.from_row(r) for r in rows]

    @strawberry.field(description="A consortium project with its parties (county admins).")
    async def project(self, info: Info, id: strawberry.ID) -> ConsortiumProject:
        p = info.context.principal.require(*scope.PROJECT_ADMINS)
        async with info.context.pool.acquire() as conn:
            row = await reads.project(conn, parse_id(id))
        if row is None:
            raise NotFound(f"project {id} not found")
        p.require_region(row["host_region_code"])
        return ConsortiumProject.from_row(row)

    @strawberry.field
    async def projects(self, info: Info, region_code: str | None = None) -> list[ConsortiumProject]:
        p = info.context.principal.require(*scope.PROJECT_ADMINS)
        root = region_code or p.region or ""
        p.require_region(root)
        async with info.context.pool.acquire() as conn:
            return [ConsortiumProject.from_row(r) for r in await reads.projects_in(conn, root)]

    @strawberry.field
    async def distribution_run(self, info: Info, id: strawberry.ID) -> DistributionRun:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT register_id FROM distribution_run WHERE id = $1",
                                      parse_id(id))
            if row is None:
                raise NotFound(f"distribution run {id} not found")
            register = await reads.register(conn, row["register_id"])
            scope.require_read(p, RegisterKind(register["kind"]), register["region_code"])
            from ..distributions import fetch_run
            return DistributionRun.from_row(await fetch_run(conn, parse_id(id)))


__all__ = ["Query", "Forbidden"]
