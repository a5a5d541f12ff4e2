"""Mutations: each is one use case (one transaction: state + outbox event, or nothing)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from xiangzhi_shared.context import Info

from .. import list_items, matters, service_requests
from ..domain.lists import ListKind
from ..domain.matters import MatterCategory
from ..domain.services import ServiceKind, ServiceStatus
from .types import (
    ListItem,
    ListKindGQL,
    Matter,
    MatterCategoryGQL,
    ServiceKindGQL,
    ServiceRequest,
)


@strawberry.input
class ReportMatterInput:
    title: str
    category: MatterCategoryGQL  # type: ignore[valid-type]
    region_id: strawberry.ID = strawberry.field(description="The grid (or village) where it is.")
    description: str | None = None
    location: str | None = None
    reporter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Staff reporting for a resident: that resident's id.")


@strawberry.input
class PublishListItemInput:
    list: ListKindGQL  # type: ignore[valid-type]
    title: str
    region_id: strawberry.ID
    description: str | None = None


@strawberry.input
class RequestServiceInput:
    kind: ServiceKindGQL  # type: ignore[valid-type]
    subject: str
    resident_id: strawberry.ID | None = None
    scheduled_for: datetime | None = None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Report a matter (residents in their own village; staff "
                         "in scope).")
    async def report_matter(self, info: Info, input: ReportMatterInput) -> Matter:
        row = await matters.report(
            info.context.pool, info.context.principal, title=input.title,
            description=input.description, category=MatterCategory(input.category),
            region_id=input.region_id, location=input.location, reporter_id=input.reporter_id)
        return Matter.from_row(row)

    @strawberry.mutation(description="受理: accept a reported matter; its deadline starts.")
    async def accept_matter(self, info: Info, id: strawberry.ID) -> Matter:
        return Matter.from_row(await matters.transition(info.context.pool,
                                                        info.context.principal, id, "accept"))

    @strawberry.mutation(description="交办: assign to a grid worker, cadre or unit.")
    async def assign_matter(self, info: Info, id: strawberry.ID, assignee_id: str) -> Matter:
        return Matter.from_row(await matters.transition(
            info.context.pool, info.context.principal, id, "assign", assignee_id=assignee_id))

    @strawberry.mutation(description="办理: record how it was handled.")
    async def record_handling(self, info: Info, id: strawberry.ID, record: str) -> Matter:
        return Matter.from_row(await matters.transition(
            info.context.pool, info.context.principal, id, "handle", record=record))

    @strawberry.mutation(description="办结: close (requires a handling record).")
    async def close_matter(self, info: Info, id: strawberry.ID,
                           summary: str | None = None) -> Matter:
        return Matter.from_row(await matters.transition(
            info.context.pool, info.context.principal, id, "close", summary=summary))

    @strawberry.mutation(description="回访: follow-up visit with the resident's satisfaction "
                         "(1-5); this finishes the loop.")
    async def follow_up_matter(self, info: Info, id: strawberry.ID, satisfaction: int,
                               remark: str | None = None) -> Matter:
        return Matter.from_row(await matters.transition(
            info.context.pool, info.context.principal, id, "follow_up",
            satisfaction=satisfaction, remark=remark))

    @strawberry.mutation
    async def publish_list_item(self, info: Info, input: PublishListItemInput) -> ListItem:
        return ListItem.from_row(await list_items.publish(
            info.context.pool, info.context.principal, kind=ListKind(input.list),
            title=input.title, description=input.description, region_id=input.region_id))

    @strawberry.mutation(description="A township unit claims a list item (双向联系).")
    async def claim_list_item(self, info: Info, id: strawberry.ID, unit: str) -> ListItem:
        return ListItem.from_row(await list_items.claim(info.context.pool,
                                                        info.context.principal, id, unit))

    @strawberry.mutation
    async def record_list_progress(self, info: Info, id: strawberry.ID, percent: int,
                                   note: str | None = None) -> ListItem:
        return ListItem.from_row(await list_items.record_progress(
            info.context.pool, info.context.principal, id, percent, note))

    @strawberry.mutation(description="Appointment, proxy errand, or (staff) a special-group "
                         "visit record.")
    async def request_service(self, info: Info, input: RequestServiceInput) -> ServiceRequest:
        return ServiceRequest.from_row(await service_requests.request(
            info.context.pool, info.context.principal, kind=ServiceKind(input.kind),
            subject=input.subject, resident_id=input.resident_id,
            scheduled_for=input.scheduled_for))

    @strawberry.mutation
    async def complete_service(self, info: Info, id: strawberry.ID,
                               note: str | None = None) -> ServiceRequest:
        return ServiceRequest.from_row(await service_requests.finish(
            info.context.pool, info.context.principal, id, ServiceStatus.COMPLETED, note))

    @strawberry.mutation
    async def cancel_service(self, info: Info, id: strawberry.ID,
                             note: str | None = None) -> ServiceRequest:
        return ServiceRequest.from_row(await service_requests.finish(
            info.context.pool, info.context.principal, id, ServiceStatus.CANCELLED, note))
