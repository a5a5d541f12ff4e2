"""GraphQL types of the dispatch subgraph. Ticket references grid's Village, Grid and Matter
entities (by id only) and extends Matter and Village with dispatch's fields."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from xiangzhi_shared.context import Info

from .. import reads
from ..domain import scope
from ..domain.categories import TicketCategory
from ..domain.coordinators import Authorisation as AuthorisationRule
from ..domain.coordinators import Background
from ..domain.coordinators import Certificate as CertificateRule
from ..domain.routing import RouteKind
from ..domain.tickets import OPEN_STATUSES, TicketStatus
from ..tickets import facts, parse_id

TicketCategoryGQL = strawberry.enum(TicketCategory, name="TicketCategory")
TicketStatusGQL = strawberry.enum(TicketStatus, name="TicketStatus")
RouteKindGQL = strawberry.enum(RouteKind, name="TicketRoute")
BackgroundGQL = strawberry.enum(Background, name="CoordinatorBackground")


def _id(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.federation.type(keys=["id"], description="Grid's village, extended with its "
                            "network coordinators 网协员.")
class Village:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **_: Any) -> Village:
        return cls(id=id)

    @strawberry.field(description="The coordinators posted in this village (admins in scope).")
    async def coordinators(self, info: Info) -> list[Coordinator]:
        async with info.context.pool.acquire() as conn:
            code = await conn.fetchval("SELECT code FROM place WHERE id=$1", parse_id(self.id))
            if code is None:
                return []
            scope.require_admin_in(info.context.principal, code)
            return [Coordinator.from_row(r) for r in await reads.coordinators(conn, code)]


@strawberry.federation.type(keys=["id"], description="Grid's grid 网格 (referenced).")
class Grid:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **_: Any) -> Grid:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description="Grid's matter, extended with the "
                            "dispatch tickets it became.")
class Matter:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID, **_: Any) -> Matter:
        return cls(id=id)

    @strawberry.field(description="Tickets created from this matter that the caller may see.")
    async def tickets(self, info: Info) -> list[Ticket]:
        p = info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            rows = await reads.tickets_of_matters(conn, [parse_id(self.id)])
        return [Ticket.from_row(r) for r in rows if scope.can_read_ticket(p, **facts(r))]


@strawberry.type
class TicketStep:
    change: str
    status: TicketStatusGQL  # type: ignore[valid-type]
    actor: str
    note: str | None
    at: datetime


@strawberry.type
class PartnerUpdateRecord:
    event_id: str
    status: str
    note: str | None
    specialist: str | None
    outcome: str = strawberry.field(description="APPLIED, or IGNORED (stale/out of order)")
    detail: str | None
    received_at: datetime


@strawberry.type(description="A utility-network ticket: reported by a resident, grid worker "
                 "or coordinator, routed to a coordinator 网协员 or the partner's specialists.")
class Ticket:
    id: strawberry.ID
    partner: str
    category: TicketCategoryGQL  # type: ignore[valid-type]
    status: TicketStatusGQL  # type: ignore[valid-type]
    title: str
    description: str | None
    location: str | None
    photo_refs: list[str]
    village_code: str
    region_code: str
    route: RouteKindGQL | None  # type: ignore[valid-type]
    resolution: str | None
    reporter_role: str
    due_at: datetime
    reported_at: datetime
    routed_at: datetime | None
    resolved_at: datetime | None
    confirmed_at: datetime | None
    village: Village
    grid: Grid | None
    matter: Matter | None
    coordinator_id: strawberry.Private[uuid.UUID | None]
    created_at: strawberry.Private[datetime]

    @classmethod
    def from_row(cls, row: dict) -> Ticket:
        return cls(
            id=_id(row["id"]), partner=row["partner_code"],
            category=TicketCategory(row["category"]), status=TicketStatus(row["status"]),
            title=row["title"], description=row["description"], location=row["location"],
            photo_refs=list(row["photo_refs"] or []), village_code=row["village_code"],
            region_code=row["region_code"],
            route=RouteKind(row["route"]) if row["route"] else None,
            resolution=row["resolution"], reporter_role=row["reporter_role"],
            due_at=row["due_at"], reported_at=row["reported_at"], routed_at=row["routed_at"],
            resolved_at=row["resolved_at"], confirmed_at=row["confirmed_at"],
            village=Village(id=_id(row["village_id"])),
            grid=Grid(id=_id(row["grid_id"])) if row["grid_id"] else None,
            matter=Matter(id=_id(row["matter_id"])) if row["matter_id"] else None,
            coordinator_id=row["coordinator_id"], created_at=row["created_at"])

    @strawberry.field
    def overdue(self) -> bool:
        return TicketStatus(self.status) in OPEN_STATUSES and datetime.now(UTC) > self.due_at

    @strawberry.field
    async def coordinator(self, info: Info) -> CoordinatorRef | None:
        if self.coordinator_id is None:
            return None
        async with info.context.pool.acquire() as conn:
            rows = await reads.coordinators(conn, None, self.coordinator_id)
        return CoordinatorRef(id=_id(rows[0]["id"]), name=rows[0]["name"]) if rows else None

    @strawberry.field(description="Every step of the lifecycle, oldest first.")
    async def steps(self, info: Info) -> list[TicketStep]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.ticket_steps(conn, uuid.UUID(self.id))
        return [TicketStep(change=r["change"], status=TicketStatus(r["status"]), actor=r["actor"],
                           note=r["note"], at=r["at"]) for r in rows]

    @strawberry.field(description="Updates the partner produced to its updates topic.")
    async def partner_updates(self, info: Info) -> list[PartnerUpdateRecord]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.partner_updates(conn, uuid.UUID(self.id))
        return [PartnerUpdateRecord(**r) for r in rows]


@strawberry.type(description="Who a ticket is assigned to (name only: no contact details).")
class CoordinatorRef:
    id: strawberry.ID
    name: str


@strawberry.type(name="Certificate", description="结业许可证: issued after joint training "
                 "镇企共训.")
class CertificateGQL:
    number: str
    issued_on: date
    expires_on: date | None
    revoked_at: datetime | None
    valid_now: bool


@strawberry.type(name="Authorisation", description="岗位授权书: one partner's authorisation "
                 "for a scope of task categories until an expiry.")
class AuthorisationGQL:
    id: strawberry.ID
    partner: str
    scope: list[TicketCategoryGQL]  # type: ignore[valid-type]
    valid_from: datetime
    expires_at: datetime
    revoked_at: datetime | None
    valid_now: bool

    @classmethod
    def from_row(cls, r: dict) -> AuthorisationGQL:
        rule = AuthorisationRule(r["partner_code"], frozenset(TicketCategory(s) for s in r["scope"]),
                                 r["valid_from"], r["expires_at"], r["revoked_at"])
        return cls(id=_id(r["id"]), partner=r["partner_code"],
                   scope=[TicketCategory(s) for s in r["scope"]], valid_from=r["valid_from"],
                   expires_at=r["expires_at"], revoked_at=r["revoked_at"],
                   valid_now=rule.valid_at(datetime.now(UTC)))


@strawberry.type
class Training:
    course: str
    partner: str | None
    completed_on: date


@strawberry.type(description="A network coordinator 网协员 of a village, chosen from former "
                 "and reserve cadres.")
class Coordinator:
    id: strawberry.ID
    name: str
    village_code: str
    background: BackgroundGQL  # type: ignore[valid-type]
    selected_on: date
    selection_note: str | None
    active: bool
    open_load: int
    village: Village

    @classmethod
    def from_row(cls, r: dict) -> Coordinator:
        return cls(id=_id(r["id"]), name=r["name"], village_code=r["village_code"],
                   background=Background(r["background"]), selected_on=r["selected_on"],
                   selection_note=r["selection_note"], active=r["active"],
                   open_load=r.get("open_load", 0), village=Village(id=_id(r["village_id"])))

    @strawberry.field
    async def certificate(self, info: Info) -> CertificateGQL | None:
        async with info.context.pool.acquire() as conn:
            r = await reads.certificate(conn, uuid.UUID(self.id))
        if r is None:
            return None
        rule = CertificateRule(r["issued_on"], r["expires_on"], r["revoked_at"])
        return CertificateGQL(number=r["number"], issued_on=r["issued_on"],
                              expires_on=r["expires_on"], revoked_at=r["revoked_at"],
                              valid_now=rule.valid_at(datetime.now(UTC)))

    @strawberry.field
    async def trainings(self, info: Info) -> list[Training]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.trainings(conn, uuid.UUID(self.id))
        return [Training(course=r["course"], partner=r["partner_code"],
                         completed_on=r["completed_on"]) for r in rows]

    @strawberry.field
    async def authorisations(self, info: Info) -> list[AuthorisationGQL]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.authorisations(conn, uuid.UUID(self.id))
        return [AuthorisationGQL.from_row(r) for r in rows]


@strawberry.type
class CategoryRate:
    category: TicketCategoryGQL  # type: ignore[valid-type]
    rate: Decimal


@strawberry.type(description="合作协议 between a partner and the district.")
class Agreement:
    id: strawberry.ID
    title: str
    scope_items: list[str]
    starts_on: date
    ends_on: date
    status: str
    rates: list[CategoryRate]

    @classmethod
    def from_row(cls, r: dict) -> Agreement:
        return cls(id=_id(r["id"]), title=r["title"], scope_items=list(r["scope_items"]),
                   starts_on=r["starts_on"], ends_on=r["ends_on"], status=r["status"],
                   rates=[CategoryRate(category=TicketCategory(x["category"]),
                                       rate=Decimal(x["rate"])) for x in r.get("rates") or []])


@strawberry.type(description="A partner utility 要素保障企业.")
class Partner:
    code: str
    name: str

    @strawberry.field(description="The county and the partner's own staff only.")
    async def agreements(self, info: Info) -> list[Agreement]:
        scope.require_partner_reader(info.context.principal, self.code)
        async with info.context.pool.acquire() as conn:
            return [Agreement.from_row(r) for r in await reads.agreements(conn, self.code)]


@strawberry.type(description="A billable task a coordinator completed for a partner.")
class WorkRecord:
    id: strawberry.ID
    ticket_id: strawberry.ID
    coordinator_id: strawberry.ID
    category: TicketCategoryGQL  # type: ignore[valid-type]
    rate: Decimal
    amount: Decimal
    completed_at: datetime

    @classmethod
    def from_row(cls, r: dict) -> WorkRecord:
        return cls(id=_id(r["id"]), ticket_id=_id(r["ticket_id"]),
                   coordinator_id=_id(r["coordinator_id"]),
                   category=TicketCategory(r["category"]), rate=r["rate"], amount=r["amount"],
                   completed_at=r["completed_at"])


@strawberry.type
class Adjustment:
    id: strawberry.ID
    amount: Decimal
    reason: str
    work_record_id: strawberry.ID | None
    created_at: datetime

    @classmethod
    def from_row(cls, r: dict) -> Adjustment:
        return cls(id=_id(r["id"]), amount=r["amount"], reason=r["reason"],
                   work_record_id=_id(r["work_record_id"]) if r["work_record_id"] else None,
                   created_at=r["created_at"])


@strawberry.type(description="A partner's monthly purchased-service statement; final once "
                 "ISSUED.")
class Statement:
    id: strawberry.ID
    partner: str
    period: date
    status: str
    work_total: Decimal
    adjustment_total: Decimal
    total: Decimal
    record_count: int
    issued_at: datetime | None

    @classmethod
    def from_row(cls, r: dict) -> Statement:
        return cls(id=_id(r["id"]), partner=r["partner_code"], period=r["period"],
                   status=r["status"], work_total=r["work_total"],
                   adjustment_total=r["adjustment_total"], total=r["total"],
                   record_count=r["record_count"], issued_at=r["issued_at"])

    @strawberry.field
    async def work_records(self, info: Info) -> list[WorkRecord]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.work_records(conn, statement_id=uuid.UUID(self.id))
        return [WorkRecord.from_row(r) for r in rows]

    @strawberry.field
    async def adjustments(self, info: Info) -> list[Adjustment]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.adjustments(conn, uuid.UUID(self.id))
        return [Adjustment.from_row(r) for r in rows]


@strawberry.type
class ActionItem:
    id: strawberry.ID
    description: str
    owner: str
    due_on: date | None
    status: str
    done_at: datetime | None
    ticket_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The ticket this item follows up, if the caller may see it.")
    async def ticket(self, info: Info) -> Ticket | None:
        if self.ticket_id is None:
            return None
        from ..tickets import fetch_ticket

        async with info.context.pool.acquire() as conn:
            row = await fetch_ticket(conn, self.ticket_id)
        p = info.context.principal
        return Ticket.from_row(row) if scope.can_read_ticket(p, **facts(row)) else None


@strawberry.type(description="联席会议: a company–township–village joint meeting.")
class Meeting:
    id: strawberry.ID
    region_code: str
    title: str
    held_on: date
    partners: list[str]
    minutes: str | None

    @classmethod
    def from_row(cls, r: dict) -> Meeting:
        return cls(id=_id(r["id"]), region_code=r["region_code"], title=r["title"],
                   held_on=r["held_on"], partners=list(r["partner_codes"]), minutes=r["minutes"])

    @strawberry.field
    async def action_items(self, info: Info) -> list[ActionItem]:
        async with info.context.pool.acquire() as conn:
            rows = await reads.action_items(conn, uuid.UUID(self.id))
        return [ActionItem(id=_id(r["id"]), description=r["description"], owner=r["owner"],
                           due_on=r["due_on"], status=r["status"], done_at=r["done_at"],
                           ticket_id=r["ticket_id"]) for r in rows]

