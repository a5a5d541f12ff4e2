"""Queries. Every resolver checks the caller's role and scope before reading."""

from __future__ import annotations

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.ids import parse_id
from xiangzhi_shared.pagination import Connection, connection, page_size

from .. import bookings, demand, orders, purchases, reads, settlements, targets
from ..domain.trade import BookingStatus, LotStatus, OrderStatus
from .types import (
    ArrangedLoan,
    CoopSettlement,
    DemandReport,
    DemandSummary,
    DemandTotal,
    InputItem,
    InputOrder,
    InputOrderStatus,
    ProduceLot,
    ProduceLotStatus,
    ServiceBooking,
    ServiceBookingStatus,
    SourcingPlan,
    SupplyCoop,
    SupplyTarget,
)


def _coop_filter(coop_id: strawberry.ID | None):
    return parse_id(coop_id, "coopId") if coop_id is not None else None


@strawberry.type
class Query:
    @strawberry.field(description="The county co-op and its base co-ops.")
    async def supply_coops(self, info: Info) -> list[SupplyCoop]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            return [SupplyCoop.from_row(r) for r in await reads.coops(conn)]

    @strawberry.field
    async def supply_coop(self, info: Info, id: strawberry.ID) -> SupplyCoop:
        return await SupplyCoop.resolve_reference(info, id=id)

    @strawberry.field(description="The county's catalogue of farm inputs 农资.")
    async def input_items(self, info: Info) -> list[InputItem]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            return [InputItem.from_row(r) for r in await reads.input_items(conn)]

    @strawberry.field(description="Input orders: a farmer's own, a cadre's village's, staff's "
                      "co-op or township (`regionCode` narrows it), oldest first.")
    async def input_orders(self, info: Info, coop_id: strawberry.ID | None = None,
                           status: InputOrderStatus | None = None,  # type: ignore[valid-type]
                           region_code: str | None = None, first: int | None = None,
                           after: str | None = None) -> Connection[InputOrder]:
        ts = reads.trade_scope(info.context.principal, region_code)
        limit = page_size(first)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.orders_page(
                conn, ts, _coop_filter(coop_id), OrderStatus(status).value if status else None,
                limit, after)
        return connection(rows, total, limit, InputOrder.from_row)

    @strawberry.field
    async def input_order(self, info: Info, id: strawberry.ID) -> InputOrder:
        async with info.context.pool.acquire() as conn:
            row = await orders.fetch_order(conn, parse_id(id))
        orders.require_read(info.context.principal, row)
        return InputOrder.from_row(row)

    @strawberry.field(description="Produce lots bought 农产品收购, scoped like inputOrders.")
    async def produce_lots(self, info: Info, coop_id: strawberry.ID | None = None,
                           status: ProduceLotStatus | None = None,  # type: ignore[valid-type]
                           region_code: str | None = None, first: int | None = None,
                           after: str | None = None) -> Connection[ProduceLot]:
        ts = reads.trade_scope(info.context.principal, region_code)
        limit = page_size(first)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.lots_page(
                conn, ts, _coop_filter(coop_id), LotStatus(status).value if status else None,
                limit, after)
        return connection(rows, total, limit, ProduceLot.from_row)

    @strawberry.field
    async def produce_lot(self, info: Info, id: strawberry.ID) -> ProduceLot:
        async with info.context.pool.acquire() as conn:
            row = await purchases.fetch_lot(conn, parse_id(id))
        purchases.require_read(info.context.principal, row)
        return ProduceLot.from_row(row)

    @strawberry.field(description="Service bookings 社会化服务, scoped like inputOrders.")
    async def service_bookings(self, info: Info, coop_id: strawberry.ID | None = None,
                               status: ServiceBookingStatus | None = None,  # type: ignore[valid-type]
                               region_code: str | None = None, first: int | None = None,
                               after: str | None = None) -> Connection[ServiceBooking]:
        ts = reads.trade_scope(info.context.principal, region_code)
        limit = page_size(first)
        async with info.context.pool.acquire() as conn:
            rows, total = await reads.bookings_page(
                conn, ts, _coop_filter(coop_id),
                BookingStatus(status).value if status else None, limit, after)
        return connection(rows, total, limit, ServiceBooking.from_row)

    @strawberry.field
    async def service_booking(self, info: Info, id: strawberry.ID) -> ServiceBooking:
        async with info.context.pool.acquire() as conn:
            row = await bookings.fetch_booking(conn, parse_id(id))
        bookings.require_read(info.context.principal, row)
        return ServiceBooking.from_row(row)

    @strawberry.field(description="Demand reports of villages in a subtree (default: your scope).")
    async def demand_reports(self, info: Info, season: str | None = None,
                             region_code: str | None = None) -> list[DemandReport]:
        from ..domain import planning, scope

        root = scope.read_root(info.context.principal, region_code)
        s = planning.validate_season(season) if season else None
        async with info.context.pool.acquire() as conn:
            return [DemandReport.from_row(r) for r in await demand.reports(conn, root, s)]

    @strawberry.field(description="Demand of a season summed by item, by item × village and by "
                      "item × township, over a subtree (default: your scope).")
    async def demand_summary(self, info: Info, season: str,
                             region_code: str | None = None) -> DemandSummary:
        s = await demand.summary(info.context.pool, info.context.principal, season=season,
                                 region_code=region_code)
        return DemandSummary(
            season=s["season"], region_code=s["region_code"], reports=s["reports"],
            by_item=[DemandTotal.from_entry(e) for e in s["by_item"]],
            by_village=[DemandTotal.from_entry(e) for e in s["by_village"]],
            by_township=[DemandTotal.from_entry(e) for e in s["by_township"]])

    @strawberry.field(description="A season's sourcing plan (base co-op staff: their lines).")
    async def sourcing_plan(self, info: Info, season: str) -> SourcingPlan:
        return SourcingPlan.from_row(await demand.plan(info.context.pool,
                                                       info.context.principal, season))

    @strawberry.field(description="供销消薄 targets of villages in a subtree, with progress.")
    async def supply_targets(self, info: Info, year: int,
                             region_code: str | None = None) -> list[SupplyTarget]:
        rows = await targets.targets(info.context.pool, info.context.principal, year=year,
                                     region_code=region_code)
        return [SupplyTarget(**r) for r in rows]

    @strawberry.field(description="Arranged loans 组织落实贷款 in a subtree.")
    async def arranged_loans(self, info: Info, region_code: str | None = None
                             ) -> list[ArrangedLoan]:
        rows = await targets.loans(info.context.pool, info.context.principal, region_code)
        return [ArrangedLoan.from_row(r) for r in rows]

    @strawberry.field(description="Settlements of the base co-ops in your scope.")
    async def coop_settlements(self, info: Info, coop_id: strawberry.ID | None = None
                               ) -> list[CoopSettlement]:
        rows = await settlements.settlements(info.context.pool, info.context.principal,
                                             str(_coop_filter(coop_id)) if coop_id else None)
        return [CoopSettlement.from_row(r) for r in rows]
