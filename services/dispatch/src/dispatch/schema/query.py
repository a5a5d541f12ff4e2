"""Queries. Every resolver checks the caller's role and scope before reading."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.context import Info
from xiangzhi_shared.errors import Forbidden
from xiangzhi_shared.pagination import Connection, connection, page_size

from .. import purchased, reads
from ..domain import scope
from ..domain.tickets import TicketStatus
from ..purchased import fetch_statement
from ..tickets import facts, fetch_ticket, parse_id
from .types import (
    Coordinator,
    Meeting,
    Partner,
    Statement,
    Ticket,
    TicketCategoryGQL,
    TicketStatusGQL,
    WorkRecord,
)


@strawberry.input
class TicketFilter:
    region_code: str | None = None
    partner: str | None = None
    statuses: list[TicketStatusGQL] | None = None  # type: ignore[valid-type]
    category: TicketCategoryGQL | None = None  # type: ignore[valid-type]
    overdue_only: bool = False


def ticket_scope(p: Principal, region_code: str | None) -> reads.TicketScope:
    """The one way this caller sees tickets, widest role first."""
    p.require()
    if p.has_role(*scope.REGION_STAFF):
        return reads.TicketScope(region_code=p.scope_root(region_code))
    if p.has_role("utility_staff"):
        if not p.partner:
            raise Forbidden("utility staff need a partner claim")
        return reads.TicketScope(partner=p.partner, region_code=region_code)
    if p.has_role("coordinator"):
        return reads.TicketScope(coordinator_or_reporter=str(parse_id(p.subject, "subject")),
                                 region_code=region_code)
    if p.has_role("resident"):
        return reads.TicketScope(reporter_id=p.subject, region_code=region_code)
    raise Forbidden("your roles cannot read tickets")


@strawberry.type
class Query:
    @strawberry.field(description="Tickets the caller may see, oldest first.")
    async def tickets(self, info: Info, filter: TicketFilter | None = None,
                      first: int | None = None, after: str | None = None) -> Connection[Ticket]:
        f = filter or TicketFilter()
        s = ticket_scope(info.context.principal, f.region_code)
        limit = page_size(first)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.tickets_page(
                conn, s, partner=f.partner,
                statuses=[TicketStatus(x).value for x in f.statuses] if f.statuses else None,
                category=f.category.value if f.category else None,
                overdue_at=datetime.now(UTC) if f.overdue_only else None, limit=limit,
                after=after)
        return connection(rows, total, limit, Ticket.from_row)

    @strawberry.field
    async def ticket(self, info: Info, id: strawberry.ID) -> Ticket:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await fetch_ticket(conn, parse_id(id))
        scope.require_read_ticket(p, **facts(row))
        return Ticket.from_row(row)

    @strawberry.field(description="The partner utilities 要素保障企业.")
    async def partners(self, info: Info) -> list[Partner]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            return [Partner(code=r["code"], name=r["name"]) for r in await reads.partners(conn)]

    @strawberry.field(description="Coordinators in a region subtree (admins), or yourself "
                      "(a coordinator).")
    async def coordinators(self, info: Info, region_code: str | None = None) -> list[Coordinator]:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            if p.has_role(*scope.ADMINS, "village_cadre"):
                root = p.scope_root(region_code)
                rows = await reads.coordinators(conn, root)
            elif p.has_role("coordinator"):
                rows = await reads.coordinators(conn, None, parse_id(p.subject, "subject"))
            else:
                raise Forbidden("your roles cannot read the coordinators' register")
        return [Coordinator.from_row(r) for r in rows]

    @strawberry.field(description="A partner's monthly statements (county, or the partner).")
    async def statements(self, info: Info, partner: str) -> list[Statement]:
        purchased.require_reader(info.context.principal, partner)
        async with info.context.pool.acquire() as conn:
            return [Statement.from_row(r) for r in await reads.statements(conn, partner)]

    @strawberry.field
    async def statement(self, info: Info, id: strawberry.ID) -> Statement:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await fetch_statement(conn, parse_id(id))
        purchased.require_reader(info.context.principal, row["partner_code"])
        return Statement.from_row(row)

    @strawberry.field(description="Work records not yet on a statement.")
    async def unbilled_work(self, info: Info, partner: str) -> list[WorkRecord]:
        purchased.require_reader(info.context.principal, partner)
        async with info.context.pool.acquire() as conn:
            rows = await reads.work_records(conn, statement_id=None, partner=partner,
                                            unbilled=True)
        return [WorkRecord.from_row(r) for r in rows]

    @strawberry.field(description="联席会议 in the caller's area (admins), or those the "
                      "caller's partner attended (utility staff).")
    async def meetings(self, info: Info, region_code: str | None = None) -> list[Meeting]:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            if p.has_role(*scope.ADMINS, "village_cadre"):
                rows = await reads.meetings(conn, root=p.scope_root(region_code), partner=None)
            elif p.has_role("utility_staff") and p.partner:
                rows = await reads.meetings(conn, root=None, partner=p.partner)
            else:
                raise Forbidden("your roles cannot read joint meetings")
        return [Meeting.from_row(r) for r in rows]
