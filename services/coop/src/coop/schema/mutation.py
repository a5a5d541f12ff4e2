"""Mutations: each is one use case (one transaction: state + outbox event, or nothing).
Those that charge or pay take an `idempotencyKey`: a retry with the same key returns the
first result and changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from xiangzhi_shared.context import Info

from .. import bookings, catalogue, demand, orders, purchases, settlements, targets
from ..domain.trade import BuyerKind, DemandKind, ServiceKind
from .types import (
    ArrangedLoan,
    CoopBuyerKind,
    CoopSettlement,
    DemandKindGQL,
    DemandReport,
    FarmServiceKind,
    InputItem,
    InputOrder,
    ProduceLot,
    ProducePrice,
    ServiceBooking,
    ServiceTeam,
    SourcingPlan,
    SupplyTarget,
)


@strawberry.input
class OrderLineInput:
    item_id: strawberry.ID
    quantity: int


@strawberry.input
class PlaceOrderInput:
    coop_id: strawberry.ID
    lines: list[OrderLineInput]
    buyer_kind: CoopBuyerKind = BuyerKind.FARMER  # type: ignore[valid-type]
    farmer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Cadre or staff acting for a farmer: the farmer's resident id.")
    village_code: str | None = strawberry.field(
        default=None, description="Staff acting for a farmer: the farmer's village.")
    idempotency_key: str | None = None


@strawberry.input
class RecordPurchaseInput:
    coop_id: strawberry.ID
    farmer_id: strawberry.ID
    village_code: str
    produce_code: str
    grade: str
    weight_kg: Decimal
    idempotency_key: str | None = None


@strawberry.input
class BookServiceInput:
    team_id: strawberry.ID
    date: date
    area_mu: Decimal
    farmer_id: strawberry.ID | None = None
    village_code: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class DemandLineInput:
    kind: DemandKindGQL  # type: ignore[valid-type]
    item_code: str = strawberry.field(description="Input sku, service kind or produce code.")
    quantity: Decimal


@strawberry.input
class FileDemandReportInput:
    season: str = strawberry.field(description="e.g. 2026-SPRING")
    lines: list[DemandLineInput]
    note: str | None = None


@strawberry.input
class ProducePriceInput:
    coop_id: strawberry.ID
    produce_code: str
    grade: str
    price_per_kg: Decimal
    resale_per_kg: Decimal = strawberry.field(description="The co-op's offtake price.")
    valid_from: date
    valid_to: date


@strawberry.input
class ServiceTeamInput:
    coop_id: strawberry.ID
    kind: FarmServiceKind  # type: ignore[valid-type]
    name: str
    capacity_mu: Decimal
    price_per_mu: Decimal
    cost_per_mu: Decimal


@strawberry.input
class InputItemInput:
    sku: str
    name: str
    category: str
    unit: str
    unit_price: Decimal


@strawberry.input
class ArrangeLoanInput:
    village_code: str
    borrower: str
    lender: str
    principal: Decimal
    annual_rate: Decimal
    due_on: date


def _ctx(info: Info):
    return info.context.pool, info.context.principal


@strawberry.type
class Mutation:
    @strawberry.mutation(description="County: add an input to the catalogue.")
    async def add_input_item(self, info: Info, input: InputItemInput) -> InputItem:
        return InputItem.from_row(await catalogue.add_input_item(
            *_ctx(info), sku=input.sku, name=input.name, category=input.category,
            unit=input.unit, unit_price=input.unit_price))

    @strawberry.mutation(description="Co-op staff: goods received into the co-op's stock.")
    async def receive_stock(self, info: Info, coop_id: strawberry.ID, item_id: strawberry.ID,
                            quantity: int, unit_cost: Decimal) -> int:
        row = await catalogue.receive_stock(*_ctx(info), coop_id=coop_id, item_id=item_id,
                                            quantity=quantity, unit_cost=unit_cost)
        return row["qty"]

    @strawberry.mutation(description="Co-op staff: a grade's purchase price for a period.")
    async def set_produce_price(self, info: Info, input: ProducePriceInput) -> ProducePrice:
        row = await catalogue.set_produce_price(
            *_ctx(info), coop_id=input.coop_id, produce_code=input.produce_code,
            grade=input.grade, price_per_kg=input.price_per_kg, resale_per_kg=input.resale_per_kg,
            valid_from=input.valid_from, valid_to=input.valid_to)
        async with info.context.pool.acquire() as conn:
            produce = await conn.fetchrow("SELECT code, name FROM produce WHERE id=$1",
                                          row["produce_id"])
        return ProducePrice.from_row({**row, "produce_code": produce["code"],
                                      "produce_name": produce["name"]})

    @strawberry.mutation(description="Co-op staff: a service team or machine.")
    async def add_service_team(self, info: Info, input: ServiceTeamInput) -> ServiceTeam:
        return ServiceTeam.from_row(await catalogue.add_service_team(
            *_ctx(info), coop_id=input.coop_id, kind=ServiceKind(input.kind), name=input.name,
            capacity_mu=input.capacity_mu, price_per_mu=input.price_per_mu,
            cost_per_mu=input.cost_per_mu))

    @strawberry.mutation(description="County: 让利, the discount collectives get on an input.")
    async def set_discount_rule(self, info: Info, item_id: strawberry.ID,
                                rate: Decimal) -> InputItem:
        await catalogue.set_discount_rule(*_ctx(info), item_id=item_id, rate=rate)
        async with info.context.pool.acquire() as conn:
            row = await conn.fetchrow(
                """SELECT i.*, d.rate AS discount_rate FROM input_item i
                   JOIN discount_rule d ON d.item_id = i.id WHERE i.id=$1::uuid""", item_id)
        return InputItem.from_row(dict(row))

    @strawberry.mutation(description="Order inputs: reserves the stock (all lines or none).")
    async def place_order(self, info: Info, input: PlaceOrderInput) -> InputOrder:
        return InputOrder.from_row(await orders.place(
            *_ctx(info), coop_id=input.coop_id,
            lines=[(str(li.item_id), li.quantity) for li in input.lines],
            buyer=BuyerKind(input.buyer_kind),
            farmer_id=str(input.farmer_id) if input.farmer_id is not None else None,
            village_code=input.village_code, idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="Pay a reserved order; charged once per order, and a "
                         "retry with the same key returns the same result.")
    async def pay_order(self, info: Info, id: strawberry.ID, idempotency_key: str,
                        method: str = "CASH") -> InputOrder:
        return InputOrder.from_row(await orders.pay(*_ctx(info), id,
                                                    idempotency_key=idempotency_key,
                                                    method=method))

    @strawberry.mutation(description="Cancel a reserved order; its units go back to stock.")
    async def cancel_order(self, info: Info, id: strawberry.ID) -> InputOrder:
        return InputOrder.from_row(await orders.cancel(*_ctx(info), id))

    @strawberry.mutation(description="Co-op staff: record a weighed produce lot.")
    async def record_purchase(self, info: Info, input: RecordPurchaseInput) -> ProduceLot:
        return ProduceLot.from_row(await purchases.record(
            *_ctx(info), coop_id=input.coop_id, farmer_id=str(input.farmer_id),
            village_code=input.village_code, produce_code=input.produce_code, grade=input.grade,
            weight_kg=input.weight_kg, idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="Co-op staff: pay the farmer for a lot, once.")
    async def pay_purchase(self, info: Info, id: strawberry.ID,
                           idempotency_key: str) -> ProduceLot:
        return ProduceLot.from_row(await purchases.pay(*_ctx(info), id,
                                                       idempotency_key=idempotency_key))

    @strawberry.mutation(description="Book a service for a date and field size in mu.")
    async def book_service(self, info: Info, input: BookServiceInput) -> ServiceBooking:
        return ServiceBooking.from_row(await bookings.book(
            *_ctx(info), team_id=input.team_id, service_date=input.date, area_mu=input.area_mu,
            farmer_id=str(input.farmer_id) if input.farmer_id is not None else None,
            village_code=input.village_code, idempotency_key=input.idempotency_key))

    @strawberry.mutation(description="Co-op staff: the completion record of a booked service.")
    async def complete_booking(self, info: Info, id: strawberry.ID,
                               note: str | None = None) -> ServiceBooking:
        return ServiceBooking.from_row(await bookings.complete(*_ctx(info), id, note))

    @strawberry.mutation(description="Cancel a booking; its capacity is freed.")
    async def cancel_booking(self, info: Info, id: strawberry.ID) -> ServiceBooking:
        return ServiceBooking.from_row(await bookings.cancel(*_ctx(info), id))

    @strawberry.mutation(description="村两委: file the village's demand for a season.")
    async def file_demand_report(self, info: Info, input: FileDemandReportInput) -> DemandReport:
        return DemandReport.from_row(await demand.file_report(
            *_ctx(info), season=input.season,
            lines=[(DemandKind(li.kind), li.item_code, li.quantity) for li in input.lines],
            note=input.note))

    @strawberry.mutation(description="County: turn a season's input demand into a sourcing "
                         "plan allocated to the base co-ops.")
    async def create_sourcing_plan(self, info: Info, season: str) -> SourcingPlan:
        return SourcingPlan.from_row(await demand.create_plan(*_ctx(info), season))

    @strawberry.mutation(description="Township or county: a village's 供销消薄 target.")
    async def set_supply_target(self, info: Info, village_code: str, year: int,
                                amount: Decimal) -> SupplyTarget:
        return SupplyTarget(**await targets.set_target(*_ctx(info), village_code=village_code,
                                                       year=year, amount=amount))

    @strawberry.mutation(description="Township or county: record an arranged loan.")
    async def arrange_loan(self, info: Info, input: ArrangeLoanInput) -> ArrangedLoan:
        return ArrangedLoan.from_row(await targets.arrange_loan(
            *_ctx(info), village_code=input.village_code, borrower=input.borrower,
            lender=input.lender, principal=input.principal, annual_rate=input.annual_rate,
            due_on=input.due_on))

    @strawberry.mutation(description="Township or county: a repayment on an arranged loan.")
    async def record_loan_repayment(self, info: Info, id: strawberry.ID, amount: Decimal,
                                    idempotency_key: str) -> ArrangedLoan:
        return ArrangedLoan.from_row(await targets.record_repayment(
            *_ctx(info), id, amount=amount, idempotency_key=idempotency_key))

    @strawberry.mutation(description="Settle a base co-op's finished period and publish its "
                         "distributable profit (once; settling again returns the same).")
    async def settle_period(self, info: Info, coop_id: strawberry.ID,
                            period: str) -> CoopSettlement:
        return CoopSettlement.from_row(await settlements.settle_period(
            *_ctx(info), coop_id=coop_id, period=period))
