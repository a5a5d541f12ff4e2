"""Queries. Every resolver checks the caller's role and region scope before reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.errors import ValidationFailed
from xiangzhi_shared.ids import parse_id
from xiangzhi_shared.pagination import Connection, connection, page_size

from .. import reads
from ..domain import scope
from ..domain.matters import MatterCategory, MatterStatus
from ..domain.services import SPECIAL_GROUPS, ServiceKind
from .types import (
    ListItem,
    ListItemStatusGQL,
    ListKindGQL,
    Matter,
    MatterCategoryGQL,
    MatterStatusGQL,
    Person,
    PersonKind,
    Region,
    RegionLevel,
    RegionMetrics,
    Resident,
    ServiceKindGQL,
    ServiceRequest,
)


@strawberry.input
class MatterFilter:
    region_code: str | None = None
    statuses: list[MatterStatusGQL] | None = None  # type: ignore[valid-type]
    category: MatterCategoryGQL | None = None  # type: ignore[valid-type]
    overdue_only: bool = False


async def region_metrics(info: Info, code: str, days: int) -> RegionMetrics:
    scope.require_staff_in(info.context.principal, code)
    if not 1 <= days <= 366:
        raise ValidationFailed("days must be between 1 and 366", field="days")
    now = datetime.now(UTC)
    since = now - timedelta(days=days)
    async with info.context.pool.acquire() as conn:
        m = await reads.region_metrics(conn, code, since, now + timedelta(seconds=1), now)
    return RegionMetrics(
        region_code=code, since=since, total=m["total"], open=m["open"], closed=m["closed"],
        closed_on_time=m["closed_on_time"],
        on_time_closure_rate=(m["closed_on_time"] / m["closed"]) if m["closed"] else None,
        same_day_closed=m["same_day"], followed_up=m["followed_up"],
        average_satisfaction=float(m["satisfaction"]) if m["satisfaction"] is not None else None,
        escalated=m["escalated"], overdue_open=m["overdue"])


def _root(info: Info, region_code: str | None) -> str:
    """The subtree to read: the caller's own scope unless a narrower one is asked for."""
    return info.context.principal.require().scope_root(region_code)


@strawberry.type
class Query:
    @strawberry.field(description="A region by id or code.")
    async def region(self, info: Info, id: strawberry.ID | None = None,
                     code: str | None = None) -> Region:
        if (id is None) == (code is None):
            raise ValidationFailed("give exactly one of id or code")
        region = await Region.resolve_reference(info, id=id, code=code)
        info.context.principal.require_region(region.code)
        return region

    @strawberry.field(description="The region subtree under `rootCode` (default: your scope), "
                      "optionally one level only.")
    async def regions(self, info: Info, root_code: str | None = None,
                      level: RegionLevel | None = None) -> list[Region]:
        root = _root(info, root_code)
        async with info.context.pool.acquire() as conn:
            rows = await reads.subtree(conn, root, level.value if level else None)
        return [Region.from_row(r) for r in rows]

    @strawberry.field
    async def matter(self, info: Info, id: strawberry.ID) -> Matter:
        return await Matter.resolve_reference(info, id=id)

    @strawberry.field(description="Matters in your scope (staff) or your own (residents), "
                      "oldest first, cursor-paginated.")
    async def matters(self, info: Info, filter: MatterFilter | None = None,
                      first: int | None = None, after: str | None = None) -> Connection[Matter]:
        p = info.context.principal.require("resident", *scope.STAFF)
        f = filter or MatterFilter()
        limit = page_size(first)
        own = scope.resident_scope(p)
        region_code = None
        if own is None:
            region_code = _root(info, f.region_code)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.matters_page(
                conn, region_code=region_code, reporter_id=parse_id(own) if own else None,
                statuses=[MatterStatus(s).value for s in f.statuses] if f.statuses else None,
                category=MatterCategory(f.category).value if f.category else None,
                overdue_at=datetime.now(UTC) if f.overdue_only else None, limit=limit,
                after=after)
        return connection(rows, total, limit, Matter.from_row)

    @strawberry.field(description="Region metrics over the last `days` days.")
    async def region_metrics(self, info: Info, code: str, days: int = 30) -> RegionMetrics:
        return await region_metrics(info, code, days)

    @strawberry.field(description="Grid workers, party members, cadres in a subtree.")
    async def people(self, info: Info, region_code: str | None = None,
                     kind: PersonKind | None = None) -> list[Person]:
        root = _root(info, region_code)
        scope.require_staff_in(info.context.principal, root)
        async with info.context.pool.acquire() as conn:
            rows = await reads.people(conn, root, kind.value if kind else None)
        return [Person.from_row(r) for r in rows]

    @strawberry.field(description="Registered residents in a subtree (staff only); "
                      "`specialGroup` lists the 五必访 groups with their last visit.")
    async def residents(self, info: Info, region_code: str | None = None,
                        special_group: str | None = None, first: int | None = None,
                        after: str | None = None) -> Connection[Resident]:
        root = _root(info, region_code)
        scope.require_staff_in(info.context.principal, root)
        if special_group is not None and special_group not in SPECIAL_GROUPS:
            raise ValidationFailed(f"specialGroup must be one of {sorted(SPECIAL_GROUPS)}",
                                   field="specialGroup")
        limit = page_size(first)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.residents(conn, root, special_group, limit, after)
            visits = await reads.last_visits(conn, [r["id"] for r in rows])
        return connection(rows, total, limit, lambda r: Resident.from_row(r, visits.get(r["id"])))

    @strawberry.field
    async def me(self, info: Info) -> Resident:
        p = info.context.principal.require("resident")
        return await Resident.resolve_reference(info, id=strawberry.ID(p.subject))

    @strawberry.field(description="三张清单 items in a subtree.")
    async def list_items(self, info: Info, region_code: str | None = None,
                         list: ListKindGQL | None = None,  # type: ignore[valid-type]
                         status: ListItemStatusGQL | None = None,  # type: ignore[valid-type]
                         ) -> list[ListItem]:
        root = _root(info, region_code)
        async with info.context.pool.acquire() as conn:
            rows = await reads.list_items(conn, root, list.value if list else None,
                                          status.value if status else None)
        return [ListItem.from_row(r) for r in rows]

    @strawberry.field(description="Service requests: staff see their subtree, residents their own.")
    async def service_requests(self, info: Info, region_code: str | None = None,
                               kind: ServiceKindGQL | None = None,  # type: ignore[valid-type]
                               ) -> list[ServiceRequest]:
        p = info.context.principal.require("resident", *scope.STAFF)
        own = scope.resident_scope(p)
        root = None if own else _root(info, region_code)
        async with info.context.pool.acquire() as conn:
            rows = await reads.service_requests(
                conn, root=root, resident_id=parse_id(own) if own else None,
                kind=ServiceKind(kind).value if kind else None)
        return [ServiceRequest.from_row(r) for r in rows]

