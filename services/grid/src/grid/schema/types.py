"""GraphQL types of the grid subgraph. Entities carry @key so other subgraphs reference and
extend them (dispatch: Village/Grid/Matter; shares: Village/Resident; coop: Village/Region)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.errors import NotFound
from xiangzhi_shared.ids import parse_id

from .. import reads
from ..domain import scope
from ..domain.lists import ListItemStatus, ListKind
from ..domain.matters import OPEN_STATUSES, MatterCategory, MatterStatus
from ..domain.services import ServiceKind, ServiceStatus
from . import loaders

MatterStatusGQL = strawberry.enum(MatterStatus, name="MatterStatus")
MatterCategoryGQL = strawberry.enum(MatterCategory, name="MatterCategory")
ListKindGQL = strawberry.enum(ListKind, name="ListKind")
ListItemStatusGQL = strawberry.enum(ListItemStatus, name="ListItemStatus")
ServiceKindGQL = strawberry.enum(ServiceKind, name="ServiceKind")
ServiceStatusGQL = strawberry.enum(ServiceStatus, name="ServiceStatus")


@strawberry.enum
class RegionLevel(Enum):
    COUNTY = "COUNTY"
    TOWNSHIP = "TOWNSHIP"
    VILLAGE = "VILLAGE"
    GRID = "GRID"


@strawberry.enum
class PersonKind(Enum):
    GRID_WORKER = "GRID_WORKER"
    PARTY_MEMBER = "PARTY_MEMBER"
    CADRE = "CADRE"
    UNIT_STAFF = "UNIT_STAFF"


async def _region_row(info: Info, region_id: uuid.UUID) -> dict:
    row = await loaders.regions(info.context).load(region_id)
    if row is None:
        raise NotFound(f"region {region_id} not found")
    return row


@strawberry.federation.type(keys=["id", "code"], description="A node of the region tree "
                            "county → township → village → grid.")
class Region:
    id: strawberry.ID
    code: str
    name: str
    level: RegionLevel
    drawn_by: str | None
    parent_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: dict) -> Region:
        return cls(id=strawberry.ID(str(row["id"])), code=row["code"], name=row["name"],
                   level=RegionLevel(row["level"]), drawn_by=row["drawn_by"],
                   parent_id=row["parent_id"])

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID | None = None,
                                code: str | None = None, **_: Any) -> Region:
        info.context.principal.require()
        if id is not None:
            return cls.from_row(await _region_row(info, parse_id(id)))
        async with info.context.pool.acquire() as conn:
            row = await reads.region_by_code(conn, code or "")
        if row is None:
            raise NotFound(f"region {code} not found")
        return cls.from_row(row)

    @strawberry.field
    async def parent(self, info: Info) -> Region | None:
        return Region.from_row(await _region_row(info, self.parent_id)) if self.parent_id else None

    @strawberry.field
    async def children(self, info: Info) -> list[Region]:
        async with info.context.pool.acquire() as conn:
            return [Region.from_row(r) for r in await reads.children(conn, uuid.UUID(self.id))]

    @strawberry.field(description="On-time closure rate and follow-up satisfaction of matters "
                      "reported in this subtree over the last `days` days.")
    async def metrics(self, info: Info, days: int = 30) -> RegionMetrics:
        from .query import region_metrics  # the same scope check as the top-level query
        return await region_metrics(info, self.code, days)


@strawberry.federation.type(keys=["id"], description="A village or community 村(社区).")
class Village:
    id: strawberry.ID
    code: str
    name: str

    @classmethod
    def from_row(cls, row: dict) -> Village:
        return cls(id=strawberry.ID(str(row["id"])), code=row["code"], name=row["name"])

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Village:
        info.context.principal.require()
        row = await _region_row(info, parse_id(id))
        if row["level"] != "VILLAGE":
            raise NotFound(f"village {id} not found")
        return cls.from_row(row)

    @strawberry.field
    async def region(self, info: Info) -> Region:
        return Region.from_row(await _region_row(info, uuid.UUID(self.id)))

    @strawberry.field
    async def grids(self, info: Info) -> list[Grid]:
        async with info.context.pool.acquire() as conn:
            return [Grid.from_row(r) for r in await reads.children(conn, uuid.UUID(self.id))]

    @strawberry.field(description="村干部挂牌值班: the posted duty roster, publicly visible in "
                      "the village.")
    async def duty_roster(self, info: Info, start: date | None = None,
                          days: int = 7) -> list[DutyShift]:
        scope.require_village_member_or_staff(info.context.principal, self.code)
        start = start or datetime.now(UTC).date()
        async with info.context.pool.acquire() as conn:
            rows = await reads.duty_roster(conn, uuid.UUID(self.id), start,
                                           start + timedelta(days=max(0, min(days, 62)) - 1))
        return [DutyShift(date=r["duty_date"], shift=r["shift"], cadre_name=r["cadre_name"],
                          cadre_post=r["post"]) for r in rows]


@strawberry.federation.type(keys=["id"], description="A grid 网格, drawn by resident group, "
                            "street, shops or key place.")
class Grid:
    id: strawberry.ID
    code: str
    name: str
    drawn_by: str | None
    parent_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: dict) -> Grid:
        return cls(id=strawberry.ID(str(row["id"])), code=row["code"], name=row["name"],
                   drawn_by=row["drawn_by"], parent_id=row["parent_id"])

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Grid:
        info.context.principal.require()
        row = await _region_row(info, parse_id(id))
        if row["level"] != "GRID":
            raise NotFound(f"grid {id} not found")
        return cls.from_row(row)

    @strawberry.field
    async def village(self, info: Info) -> Village:
        return Village.from_row(await _region_row(info, self.parent_id))

    @strawberry.field
    async def workers(self, info: Info) -> list[Person]:
        scope.require_staff_in(info.context.principal, self.code)
        async with info.context.pool.acquire() as conn:
            return [Person.from_row(r) for r in await reads.people(conn, self.code, "GRID_WORKER")]


@strawberry.type
class DutyShift:
    date: date
    shift: str
    cadre_name: str
    cadre_post: str | None


@strawberry.federation.type(keys=["id"], description="Grid worker 网格员, party member 党员 "
                            "(with responsibility area 责任区 and demonstration post 示范岗), "
                            "cadre or unit staff.")
class Person:
    id: strawberry.ID
    kind: PersonKind
    name: str
    region_code: str
    responsibility_area: str | None
    demonstration_post: str | None
    post: str | None

    @classmethod
    def from_row(cls, row: dict) -> Person:
        return cls(id=strawberry.ID(str(row["id"])), kind=PersonKind(row["kind"]),
                   name=row["name"], region_code=row["region_code"],
                   responsibility_area=row["responsibility_area"],
                   demonstration_post=row["demonstration_post"], post=row["post"])

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Person:
        async with info.context.pool.acquire() as conn:
            row = await reads.person(conn, parse_id(id))
        if row is None:
            raise NotFound(f"person {id} not found")
        scope.require_staff_in(info.context.principal, row["region_code"])
        return cls.from_row(row)


@strawberry.federation.type(keys=["id"], description="A registered resident (minimal PII: a "
                            "display name and a household label, no ID number or phone).")
class Resident:
    id: strawberry.ID
    display_name: str
    household: str
    region_code: str
    special_groups: list[str]
    last_visit_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict, last_visit: datetime | None = None) -> Resident:
        return cls(id=strawberry.ID(str(row["id"])), display_name=row["display_name"],
                   household=row["household"], region_code=row["region_code"],
                   special_groups=list(row["special_groups"]), last_visit_at=last_visit)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Resident:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await reads.resident(conn, parse_id(id))
        if row is None:
            raise NotFound(f"resident {id} not found")
        if str(row["id"]) != p.subject:
            scope.require_staff_in(p, row["region_code"])
        return cls.from_row(row)


@strawberry.type
class MatterStep:
    change: str
    status: MatterStatusGQL  # type: ignore[valid-type]
    actor: str
    note: str | None
    at: datetime


@strawberry.federation.type(keys=["id"], description="A matter 事项 in the five-step loop "
                            "受理 → 交办 → 办理 → 办结 → 回访.")
class Matter:
    id: strawberry.ID
    title: str
    description: str | None
    location: str | None
    category: MatterCategoryGQL  # type: ignore[valid-type]
    status: MatterStatusGQL  # type: ignore[valid-type]
    region_code: str
    responsible_code: str = strawberry.field(description="The level now answerable for it: "
                                             "its village, or higher after escalation.")
    escalation_level: int
    assignee_id: str | None
    handling_record: str | None
    closing_summary: str | None
    satisfaction: int | None
    followup_remark: str | None
    due_at: datetime | None
    reported_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    followed_up_at: datetime | None
    region_id: strawberry.Private[uuid.UUID]
    village_id: strawberry.Private[uuid.UUID]
    reporter_id: strawberry.Private[uuid.UUID | None]
    created_at: strawberry.Private[datetime]

    @classmethod
    def from_row(cls, row: dict) -> Matter:
        return cls(
            id=strawberry.ID(str(row["id"])), title=row["title"], description=row["description"],
            location=row["location"], category=MatterCategory(row["category"]),
            status=MatterStatus(row["status"]), region_code=row["region_code"],
            responsible_code=row["responsible_code"], escalation_level=row["escalation_level"],
            assignee_id=row["assignee_id"], handling_record=row["handling_record"],
            closing_summary=row["closing_summary"], satisfaction=row["satisfaction"],
            followup_remark=row["followup_remark"], due_at=row["due_at"],
            reported_at=row["reported_at"], accepted_at=row["accepted_at"],
            closed_at=row["closed_at"], followed_up_at=row["followed_up_at"],
            region_id=row["region_id"], village_id=row["village_id"],
            reporter_id=row["reporter_id"], created_at=row["created_at"])

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Matter:
        from ..matters import fetch_matter

        async with info.context.pool.acquire() as conn:
            row = await fetch_matter(conn, parse_id(id))
        scope.require_read_matter(info.context.principal, row["region_code"],
                                  str(row["reporter_id"]) if row["reporter_id"] else None)
        return cls.from_row(row)

    @strawberry.field
    def overdue(self) -> bool:
        return (MatterStatus(self.status) in OPEN_STATUSES and self.due_at is not None
                and datetime.now(UTC) > self.due_at)

    @strawberry.field
    async def region(self, info: Info) -> Region:
        return Region.from_row(await _region_row(info, self.region_id))

    @strawberry.field
    async def village(self, info: Info) -> Village:
        return Village.from_row(await _region_row(info, self.village_id))

    @strawberry.field(description="Every step of the loop, oldest first.")
    async def steps(self, info: Info) -> list[MatterStep]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.matter_steps(conn, uuid.UUID(self.id))
        return [MatterStep(change=r["change"], status=MatterStatus(r["status"]), actor=r["actor"],
                           note=r["note"], at=r["at"]) for r in rows]


@strawberry.type
class RegionMetrics:
    region_code: str
    since: datetime
    total: int
    open: int
    closed: int
    closed_on_time: int
    on_time_closure_rate: float | None = strawberry.field(
        description="closed on or before the deadline ÷ closed; null when none closed")
    same_day_closed: int
    followed_up: int
    average_satisfaction: float | None
    escalated: int
    overdue_open: int


@strawberry.type
class ListItem:
    id: strawberry.ID
    list: ListKindGQL  # type: ignore[valid-type]
    title: str
    description: str | None
    region_code: str
    status: ListItemStatusGQL  # type: ignore[valid-type]
    claimed_by_unit: str | None
    progress_percent: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict) -> ListItem:
        return cls(id=strawberry.ID(str(row["id"])), list=ListKind(row["list"]), title=row["title"],
                   description=row["description"], region_code=row["region_code"],
                   status=ListItemStatus(row["status"]), claimed_by_unit=row["claimed_by_unit"],
                   progress_percent=row["progress_percent"], created_at=row["created_at"],
                   updated_at=row["updated_at"])


@strawberry.type
class ServiceRequest:
    id: strawberry.ID
    kind: ServiceKindGQL  # type: ignore[valid-type]
    resident_id: strawberry.ID
    region_code: str
    status: ServiceStatusGQL  # type: ignore[valid-type]
    subject: str
    scheduled_for: datetime | None
    handler_id: str | None
    outcome: str | None
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_row(cls, row: dict) -> ServiceRequest:
        return cls(id=strawberry.ID(str(row["id"])), kind=ServiceKind(row["kind"]),
                   resident_id=strawberry.ID(str(row["resident_id"])),
                   region_code=row["region_code"], status=ServiceStatus(row["status"]),
                   subject=row["subject"], scheduled_for=row["scheduled_for"],
                   handler_id=row["handler_id"], outcome=row["outcome"],
                   created_at=row["created_at"], completed_at=row["completed_at"])

