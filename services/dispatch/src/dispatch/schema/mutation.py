"""Mutations: each is one use case (one transaction: state + outbox events, or nothing)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.ids import parse_id

from .. import meetings, purchased, registry, tickets
from ..domain.categories import TicketCategory
from ..domain.coordinators import Background
from ..domain.tickets import TicketStatus
from .types import (
    Adjustment,
    Agreement,
    AuthorisationGQL,
    BackgroundGQL,
    Coordinator,
    Meeting,
    Statement,
    Ticket,
    TicketCategoryGQL,
)


@strawberry.input
class ReportTicketInput:
    partner: str = strawberry.field(description="The utility: power, gas, water, mobile, "
                                    "telecom, broadcast or post.")
    category: TicketCategoryGQL  # type: ignore[valid-type]
    village_id: strawberry.ID
    title: str
    grid_id: strawberry.ID | None = None
    description: str | None = None
    location: str | None = None
    photo_refs: list[str] | None = None


@strawberry.input
class RateInput:
    category: TicketCategoryGQL  # type: ignore[valid-type]
    rate: Decimal


@strawberry.input
class SignAgreementInput:
    partner: str
    title: str
    starts_on: date
    ends_on: date
    scope_items: list[str] = strawberry.field(default_factory=list)
    rates: list[RateInput] = strawberry.field(default_factory=list)


@strawberry.input
class RegisterCoordinatorInput:
    person_id: strawberry.ID
    village_id: strawberry.ID
    name: str
    background: BackgroundGQL  # type: ignore[valid-type]
    selected_on: date
    selection_note: str | None = None


@strawberry.input
class AuthoriseInput:
    coordinator_id: strawberry.ID
    partner: str
    scope: list[TicketCategoryGQL]  # type: ignore[valid-type]
    expires_at: datetime
    valid_from: datetime | None = None


@strawberry.input
class ActionItemInput:
    description: str
    owner: str
    due_on: date | None = None
    ticket_id: strawberry.ID | None = None


@strawberry.input
class HoldMeetingInput:
    region_code: str
    title: str
    held_on: date
    partners: list[str] = strawberry.field(default_factory=list)
    minutes: str | None = None
    action_items: list[ActionItemInput] = strawberry.field(default_factory=list)


def _draft(i: ActionItemInput) -> meetings.ActionItemDraft:
    return meetings.ActionItemDraft(i.description, i.owner, i.due_on,
                                    str(i.ticket_id) if i.ticket_id else None)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Report a ticket; it is routed at once (general work to "
                         "an authorised coordinator, professional work to the partner).")
    async def report_ticket(self, info: Info, input: ReportTicketInput) -> Ticket:
        return Ticket.from_row(await tickets.report(
            info.context.pool, info.context.principal, partner=input.partner.strip(),
            category=TicketCategory(input.category), village_id=input.village_id,
            grid_id=input.grid_id, title=input.title, description=input.description,
            location=input.location, photo_refs=input.photo_refs))

    @strawberry.mutation(description="The coordinator or partner staff accepts the ticket.")
    async def accept_ticket(self, info: Info, id: strawberry.ID) -> Ticket:
        return Ticket.from_row(await tickets.work(info.context.pool, info.context.principal, id,
                                                  TicketStatus.ACCEPTED, None))

    @strawberry.mutation
    async def start_ticket(self, info: Info, id: strawberry.ID,
                           note: str | None = None) -> Ticket:
        return Ticket.from_row(await tickets.work(info.context.pool, info.context.principal, id,
                                                  TicketStatus.IN_PROGRESS, note))

    @strawberry.mutation(description="Resolved, with what was done.")
    async def resolve_ticket(self, info: Info, id: strawberry.ID, resolution: str) -> Ticket:
        return Ticket.from_row(await tickets.work(info.context.pool, info.context.principal, id,
                                                  TicketStatus.RESOLVED, resolution))

    @strawberry.mutation(description="A coordinator hands professional work to the partner.")
    async def escalate_ticket(self, info: Info, id: strawberry.ID,
                              category: TicketCategoryGQL,  # type: ignore[valid-type]
                              reason: str) -> Ticket:
        return Ticket.from_row(await tickets.escalate(
            info.context.pool, info.context.principal, id, TicketCategory(category), reason))

    @strawberry.mutation(description="The reporter confirms the resolution.")
    async def confirm_ticket(self, info: Info, id: strawberry.ID) -> Ticket:
        return Ticket.from_row(await tickets.confirm_or_reopen(
            info.context.pool, info.context.principal, id, reopen=False))

    @strawberry.mutation(description="The reporter is not satisfied: reopened and routed again.")
    async def reopen_ticket(self, info: Info, id: strawberry.ID, reason: str) -> Ticket:
        return Ticket.from_row(await tickets.confirm_or_reopen(
            info.context.pool, info.context.principal, id, reopen=True, reason=reason))

    @strawberry.mutation(description="合作协议 with a partner (county admin).")
    async def sign_agreement(self, info: Info, input: SignAgreementInput) -> Agreement:
        row = await registry.sign_agreement(
            info.context.pool, info.context.principal, partner=input.partner, title=input.title,
            scope_items=input.scope_items, starts_on=input.starts_on, ends_on=input.ends_on,
            rates={TicketCategory(r.category): r.rate for r in input.rates})
        return Agreement.from_row({**row, "rates": [
            {"category": TicketCategory(r.category).value, "rate": str(r.rate)}
            for r in input.rates]})

    @strawberry.mutation(description="选聘: post a coordinator in a village.")
    async def register_coordinator(self, info: Info,
                                   input: RegisterCoordinatorInput) -> Coordinator:
        return Coordinator.from_row(await registry.register_coordinator(
            info.context.pool, info.context.principal, person_id=input.person_id,
            village_id=input.village_id, name=input.name,
            background=Background(input.background), selected_on=input.selected_on,
            selection_note=input.selection_note))

    @strawberry.mutation(description="镇企共训: record joint training.")
    async def record_training(self, info: Info, coordinator_id: strawberry.ID, course: str,
                              completed_on: date, partner: str | None = None) -> Coordinator:
        return Coordinator.from_row(await registry.record_training(
            info.context.pool, info.context.principal, coordinator_id, course=course,
            partner=partner, completed_on=completed_on))

    @strawberry.mutation(description="结业许可证: certify a trained coordinator.")
    async def certify_coordinator(self, info: Info, coordinator_id: strawberry.ID, number: str,
                                  issued_on: date, expires_on: date | None = None) -> Coordinator:
        return Coordinator.from_row(await registry.certify(
            info.context.pool, info.context.principal, coordinator_id, number=number,
            issued_on=issued_on, expires_on=expires_on))

    @strawberry.mutation(description="岗位授权书: authorise a certified coordinator for one "
                         "partner's general work.")
    async def authorise_coordinator(self, info: Info, input: AuthoriseInput) -> AuthorisationGQL:
        return AuthorisationGQL.from_row(await registry.authorise(
            info.context.pool, info.context.principal, input.coordinator_id,
            partner=input.partner, categories=[TicketCategory(c) for c in input.scope],
            valid_from=input.valid_from, expires_at=input.expires_at))

    @strawberry.mutation(description="Stops new assignments at once.")
    async def revoke_authorisation(self, info: Info, id: strawberry.ID) -> AuthorisationGQL:
        return AuthorisationGQL.from_row(await registry.revoke_authorisation(
            info.context.pool, info.context.principal, id))

    @strawberry.mutation(description="Prepare (or refresh) a partner's monthly draft statement.")
    async def prepare_statement(self, info: Info, partner: str, period: date) -> Statement:
        return Statement.from_row(await purchased.prepare_statement(
            info.context.pool, info.context.principal, partner, period))

    @strawberry.mutation(description="Issue a statement: final from then on.")
    async def issue_statement(self, info: Info, id: strawberry.ID) -> Statement:
        return Statement.from_row(await purchased.issue_statement(
            info.context.pool, info.context.principal, parse_id(id)))

    @strawberry.mutation(description="A correction, carried on the partner's next statement.")
    async def record_adjustment(self, info: Info, partner: str, amount: Decimal, reason: str,
                                work_record_id: strawberry.ID | None = None) -> Adjustment:
        return Adjustment.from_row(await purchased.add_adjustment(
            info.context.pool, info.context.principal, partner, amount, reason,
            parse_id(work_record_id, "workRecordId") if work_record_id else None))

    @strawberry.mutation(description="联席会议 with its action items.")
    async def hold_meeting(self, info: Info, input: HoldMeetingInput) -> Meeting:
        return Meeting.from_row(await meetings.hold_meeting(
            info.context.pool, info.context.principal, region_code=input.region_code,
            title=input.title, held_on=input.held_on, partners=input.partners,
            minutes=input.minutes, items=[_draft(i) for i in input.action_items]))

    @strawberry.mutation
    async def add_action_item(self, info: Info, meeting_id: strawberry.ID,
                              item: ActionItemInput) -> Meeting:
        return Meeting.from_row(await meetings.add_action_item(
            info.context.pool, info.context.principal, meeting_id, _draft(item)))

    @strawberry.mutation(description="逐一销号: tick an action item off.")
    async def complete_action_item(self, info: Info, id: strawberry.ID) -> Meeting:
        row = await meetings.complete_action_item(info.context.pool, info.context.principal, id)
        async with info.context.pool.acquire() as conn:
            meeting = await conn.fetchrow("SELECT * FROM meeting WHERE id=$1", row["meeting_id"])
        return Meeting.from_row(dict(meeting))
