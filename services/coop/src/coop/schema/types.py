"""GraphQL types of the coop subgraph. Grid's `Village` and `Region` are extended by id (only
the fields added here); the co-op's own entity is `SupplyCoop`. Type names carry the domain
(InputOrder, ProduceLot, ServiceBooking) so they never clash with other subgraphs'."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from xiangzhi_shared.context import Info
from xiangzhi_shared.errors import NotFound
from xiangzhi_shared.ids import parse_id

from .. import demand, reads, targets
from ..domain import scope
from ..domain.trade import (
    BookingStatus,
    BuyerKind,
    DemandKind,
    LotStatus,
    OrderStatus,
    ServiceKind,
)
from ..purchases import receipt_text
from . import loaders

InputOrderStatus = strawberry.enum(OrderStatus, name="InputOrderStatus")
CoopBuyerKind = strawberry.enum(BuyerKind, name="CoopBuyerKind")
ProduceLotStatus = strawberry.enum(LotStatus, name="ProduceLotStatus")
ServiceBookingStatus = strawberry.enum(BookingStatus, name="ServiceBookingStatus")
FarmServiceKind = strawberry.enum(ServiceKind, name="FarmServiceKind")
DemandKindGQL = strawberry.enum(DemandKind, name="DemandKind")


@strawberry.enum
class SupplyCoopKind(Enum):
    COUNTY = "COUNTY"
    BASE = "BASE"



async def _coop(info: Info, coop_id: uuid.UUID) -> SupplyCoop:
    row = await loaders.coops(info.context).load(coop_id)
    if row is None:
        raise NotFound(f"co-op {coop_id} not found")
    return SupplyCoop.from_row(row)


@strawberry.federation.type(keys=["id"], description="A grid region (owned by grid); the coop "
                            "adds the supply co-op serving it.")
class Region:
    id: strawberry.ID

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Region:
        info.context.principal.require()
        return cls(id=id)

    @strawberry.field(description="The supply co-op of this county or township, if any.")
    async def supply_coop(self, info: Info) -> SupplyCoop | None:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await reads.coop_by_region(conn, parse_id(self.id))
        return SupplyCoop.from_row(row) if row else None


@strawberry.type
class VillageTradeSummary:
    year: int
    inputs: Decimal = strawberry.field(description="Inputs paid for by the village's farmers "
                                       "and collective.")
    produce: Decimal = strawberry.field(description="Payable to the village's farmers for "
                                        "produce bought.")
    services: Decimal = strawberry.field(description="Services completed in the village.")
    total: Decimal
    target: Decimal | None = strawberry.field(description="The year's 供销消薄 target.")


@strawberry.federation.type(keys=["id"], description="A village (owned by grid); the coop adds "
                            "its demand reports and its trade through the co-op.")
class Village:
    id: strawberry.ID
    code: strawberry.Private[str | None] = None

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> Village:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            row = await reads.village_by_id(conn, parse_id(id))
        return cls(id=id, code=row["code"] if row else None)

    @strawberry.field(description="Demand reports 需求上报 filed by the village committee.")
    async def demand_reports(self, info: Info, season: str | None = None) -> list[DemandReport]:
        if self.code is None:
            return []
        targets.require_village_reader(info.context.principal, self.code)
        async with info.context.pool.acquire() as conn:
            rows = await demand.reports(conn, self.code, season.upper() if season else None)
        return [DemandReport.from_row(r) for r in rows]

    @strawberry.field(description="The village's trade through its co-op in a year.")
    async def trade_summary(self, info: Info, year: int) -> VillageTradeSummary:
        zero = targets.empty_trade()
        if self.code is None:
            return VillageTradeSummary(year=year, target=None, **zero)
        targets.require_village_reader(info.context.principal, self.code)
        async with info.context.pool.acquire() as conn:
            trade = (await targets.trade_by_village(conn, self.code, year)).get(self.code, zero)
            target = await conn.fetchval(
                "SELECT amount FROM village_target WHERE village_code=$1 AND year=$2",
                self.code, year)
        return VillageTradeSummary(year=year, target=target, **trade)


@strawberry.type
class InputItem:
    id: strawberry.ID
    sku: str
    name: str
    category: str
    unit: str
    unit_price: Decimal
    collective_discount_rate: Decimal | None = strawberry.field(
        description="让利: the fraction off the unit price for village collectives.")

    @classmethod
    def from_row(cls, row: dict) -> InputItem:
        return cls(id=strawberry.ID(str(row["id"])), sku=row["sku"], name=row["name"],
                   category=row["category"], unit=row["unit"], unit_price=row["unit_price"],
                   collective_discount_rate=row.get("discount_rate"))


@strawberry.type
class StockLevel:
    item: InputItem
    quantity: int
    township_code: strawberry.Private[str]
    cost: strawberry.Private[Decimal]

    @strawberry.field(description="Moving-average unit cost: the co-op's staff only.")
    def unit_cost(self, info: Info) -> Decimal:
        scope.require_coop_staff(info.context.principal, self.township_code)
        return self.cost


@strawberry.type
class ProducePrice:
    id: strawberry.ID
    produce_code: str
    produce_name: str
    grade: str
    price_per_kg: Decimal
    valid_from: date
    valid_to: date

    @classmethod
    def from_row(cls, r: dict) -> ProducePrice:
        return cls(id=strawberry.ID(str(r["id"])), produce_code=r["produce_code"],
                   produce_name=r["produce_name"], grade=r["grade"],
                   price_per_kg=r["price_per_kg"], valid_from=r["valid_from"],
                   valid_to=r["valid_to"])


@strawberry.type
class ServiceTeam:
    id: strawberry.ID
    kind: FarmServiceKind  # type: ignore[valid-type]
    name: str
    capacity_mu: Decimal = strawberry.field(description="Area the team can work in one day.")
    price_per_mu: Decimal

    @classmethod
    def from_row(cls, r: dict) -> ServiceTeam:
        return cls(id=strawberry.ID(str(r["id"])), kind=ServiceKind(r["kind"]), name=r["name"],
                   capacity_mu=r["capacity_mu"], price_per_mu=r["price_per_mu"])

    @strawberry.field(description="Capacity still free on a day, in mu.")
    async def available_mu(self, info: Info, date: date) -> Decimal:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            booked = await reads.booked_on(conn, uuid.UUID(self.id), date)
        return self.capacity_mu - (booked or 0)


@strawberry.federation.type(keys=["id"], description="The county co-op 县供销社 or a township "
                            "base co-op 基层供销社 (a company in which the village collectives "
                            "hold shares; their register lives in the shares service).")
class SupplyCoop:
    id: strawberry.ID
    kind: SupplyCoopKind
    name: str
    region_code: str
    region_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: dict) -> SupplyCoop:
        return cls(id=strawberry.ID(str(row["id"])), kind=SupplyCoopKind(row["kind"]),
                   name=row["name"], region_code=row["region_code"], region_id=row["region_id"])

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID, **_: Any) -> SupplyCoop:
        info.context.principal.require()
        return await _coop(info, parse_id(id))

    @strawberry.field(description="The county or township it serves.")
    def region(self) -> Region:
        return Region(id=strawberry.ID(str(self.region_id)))

    @strawberry.field(description="The villages it serves (their collectives are shareholders).")
    async def villages(self, info: Info) -> list[Village]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            rows = await reads.villages_of(conn, uuid.UUID(self.id))
        return [Village(id=strawberry.ID(str(r["id"])), code=r["code"]) for r in rows]

    @strawberry.field(description="Inputs in stock 农资库存.")
    async def stock(self, info: Info) -> list[StockLevel]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            rows = await reads.stock_of(conn, uuid.UUID(self.id))
            items = {r["id"]: r for r in await reads.input_items(conn)}
        return [StockLevel(item=InputItem.from_row(items[r["item_id"]]), quantity=r["qty"],
                           township_code=self.region_code, cost=r["unit_cost"]) for r in rows]

    @strawberry.field(description="Produce purchase prices by grade; `on` a day, or all.")
    async def produce_prices(self, info: Info, on: date | None = None) -> list[ProducePrice]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            rows = await reads.prices_of(conn, uuid.UUID(self.id), on)
        return [ProducePrice.from_row(r) for r in rows]

    @strawberry.field(description="Service teams and machines 耕种管收烘干.")
    async def service_teams(self, info: Info) -> list[ServiceTeam]:
        info.context.principal.require()
        async with info.context.pool.acquire() as conn:
            rows = await reads.teams_of(conn, uuid.UUID(self.id))
        return [ServiceTeam.from_row(r) for r in rows]


@strawberry.type
class InputOrderLine:
    item_id: strawberry.ID
    sku: str
    name: str
    quantity: int
    list_price: Decimal
    unit_price: Decimal = strawberry.field(description="Charged per unit, after any 让利.")
    amount: Decimal


@strawberry.type
class InputOrder:
    id: strawberry.ID
    status: InputOrderStatus  # type: ignore[valid-type]
    buyer_kind: CoopBuyerKind  # type: ignore[valid-type]
    buyer_id: strawberry.ID
    village_code: str
    total: Decimal
    discount: Decimal = strawberry.field(description="让利 granted to a collective.")
    placed_at: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None
    coop_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, r: dict) -> InputOrder:
        return cls(id=strawberry.ID(str(r["id"])), status=OrderStatus(r["status"]),
                   buyer_kind=BuyerKind(r["buyer_kind"]), buyer_id=strawberry.ID(str(r["buyer_id"])),
                   village_code=r["village_code"], total=r["total"], discount=r["discount"],
                   placed_at=r["placed_at"], paid_at=r["paid_at"],
                   cancelled_at=r["cancelled_at"], coop_id=r["coop_id"])

    @strawberry.field
    async def coop(self, info: Info) -> SupplyCoop:
        return await _coop(info, self.coop_id)

    @strawberry.field
    async def lines(self, info: Info) -> list[InputOrderLine]:
        from ..orders import order_lines

        async with info.context.pool.acquire() as conn:
            rows = await order_lines(conn, uuid.UUID(self.id))
        return [InputOrderLine(item_id=strawberry.ID(str(r["item_id"])), sku=r["sku"],
                               name=r["name"], quantity=r["quantity"], list_price=r["list_price"],
                               unit_price=r["unit_price"], amount=r["amount"]) for r in rows]


@strawberry.type
class PurchaseReceipt:
    number: str
    text: str = strawberry.field(description="The printed receipt 收购凭证.")


@strawberry.type
class ProduceLot:
    id: strawberry.ID
    receipt_no: str
    farmer_id: strawberry.ID
    village_code: str
    produce_code: str
    grade: str
    weight_kg: Decimal
    price_per_kg: Decimal
    amount_payable: Decimal = strawberry.field(description="weight × price, ROUND_HALF_UP to "
                                               "the fen.")
    status: ProduceLotStatus  # type: ignore[valid-type]
    weighed_at: datetime
    paid_at: datetime | None
    receipt: PurchaseReceipt
    coop_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, r: dict) -> ProduceLot:
        return cls(id=strawberry.ID(str(r["id"])), receipt_no=r["receipt_no"],
                   farmer_id=strawberry.ID(str(r["farmer_id"])), village_code=r["village_code"],
                   produce_code=r["produce_code"], grade=r["grade"], weight_kg=r["weight_kg"],
                   price_per_kg=r["price_per_kg"], amount_payable=r["amount_payable"],
                   status=LotStatus(r["status"]), weighed_at=r["weighed_at"],
                   paid_at=r["paid_at"], coop_id=r["coop_id"],
                   receipt=PurchaseReceipt(number=r["receipt_no"], text=receipt_text(r)))

    @strawberry.field
    async def coop(self, info: Info) -> SupplyCoop:
        return await _coop(info, self.coop_id)


@strawberry.type
class ServiceBooking:
    id: strawberry.ID
    kind: FarmServiceKind  # type: ignore[valid-type]
    team_id: strawberry.ID
    team_name: str
    farmer_id: strawberry.ID
    village_code: str
    service_date: date
    area_mu: Decimal
    amount: Decimal
    status: ServiceBookingStatus  # type: ignore[valid-type]
    booked_at: datetime
    completed_at: datetime | None
    completion_note: str | None
    coop_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, r: dict) -> ServiceBooking:
        return cls(id=strawberry.ID(str(r["id"])), kind=ServiceKind(r["kind"]),
                   team_id=strawberry.ID(str(r["team_id"])), team_name=r["team_name"],
                   farmer_id=strawberry.ID(str(r["farmer_id"])), village_code=r["village_code"],
                   service_date=r["service_date"], area_mu=r["area_mu"], amount=r["amount"],
                   status=BookingStatus(r["status"]), booked_at=r["booked_at"],
                   completed_at=r.get("completed_at"), completion_note=r.get("completion_note"),
                   coop_id=r["coop_id"])

    @strawberry.field
    async def coop(self, info: Info) -> SupplyCoop:
        return await _coop(info, self.coop_id)


@strawberry.type
class DemandLine:
    kind: DemandKindGQL  # type: ignore[valid-type]
    item_code: str
    quantity: Decimal


@strawberry.type
class DemandReport:
    id: strawberry.ID
    village_code: str
    township_code: str
    season: str
    note: str | None
    filed_at: datetime
    lines: list[DemandLine]

    @classmethod
    def from_row(cls, r: dict) -> DemandReport:
        return cls(id=strawberry.ID(str(r["id"])), village_code=r["village_code"],
                   township_code=r["township_code"], season=r["season"], note=r["note"],
                   filed_at=r["filed_at"],
                   lines=[DemandLine(kind=DemandKind(li["kind"]), item_code=li["item_code"],
                                     quantity=li["quantity"]) for li in r["lines"]])


@strawberry.type
class DemandTotal:
    kind: DemandKindGQL  # type: ignore[valid-type]
    item_code: str
    quantity: Decimal
    lines: int = strawberry.field(description="How many report lines the sum is made of.")
    village_code: str | None = None
    township_code: str | None = None

    @classmethod
    def from_entry(cls, e: dict) -> DemandTotal:
        return cls(kind=DemandKind(e["kind"]), item_code=e["item_code"], quantity=e["quantity"],
                   lines=e["lines"], village_code=e.get("village_code"),
                   township_code=e.get("township_code"))


@strawberry.type
class DemandSummary:
    season: str
    region_code: str
    reports: int
    by_item: list[DemandTotal]
    by_village: list[DemandTotal]
    by_township: list[DemandTotal]


@strawberry.type
class SourcingLine:
    coop_id: strawberry.ID
    coop_name: str
    township_code: str
    sku: str
    item_name: str
    demand_qty: int = strawberry.field(description="Allocated to this base co-op: its "
                                       "villages' reported demand.")
    stock_qty: int = strawberry.field(description="Covered from its free stock.")
    to_source_qty: int = strawberry.field(description="To be sourced by the county.")
    list_price: Decimal
    discount_rate: Decimal
    collective_price: Decimal = strawberry.field(description="The price after 让利.")


@strawberry.type
class SourcingPlan:
    id: strawberry.ID
    season: str
    created_at: datetime
    lines: list[SourcingLine]

    @classmethod
    def from_row(cls, r: dict) -> SourcingPlan:
        return cls(id=strawberry.ID(str(r["id"])), season=r["season"], created_at=r["created_at"],
                   lines=[SourcingLine(
                       coop_id=strawberry.ID(str(li["coop_id"])), coop_name=li["coop_name"],
                       township_code=li["township_code"], sku=li["sku"],
                       item_name=li["item_name"], demand_qty=li["demand_qty"],
                       stock_qty=li["stock_qty"], to_source_qty=li["to_source_qty"],
                       list_price=li["list_price"], discount_rate=li["discount_rate"],
                       collective_price=li["collective_price"]) for li in r["lines"]])


@strawberry.type
class SupplyTarget:
    """供销消薄: a village's annual trade target and its progress from actual trade."""

    village_code: str
    village_name: str
    year: int
    target: Decimal
    achieved: Decimal
    progress_percent: Decimal


@strawberry.type
class ArrangedLoan:
    """组织落实贷款: a loan the township arranged, tracked to repayment."""

    id: strawberry.ID
    village_code: str
    borrower: str
    lender: str
    principal: Decimal
    annual_rate: Decimal
    repaid: Decimal
    outstanding: Decimal
    status: str
    arranged_at: datetime
    due_on: date

    @classmethod
    def from_row(cls, r: dict) -> ArrangedLoan:
        return cls(id=strawberry.ID(str(r["id"])), village_code=r["village_code"],
                   borrower=r["borrower"], lender=r["lender"], principal=r["principal"],
                   annual_rate=r["annual_rate"], repaid=r["repaid"],
                   outstanding=r["principal"] - r["repaid"], status=r["status"],
                   arranged_at=r["arranged_at"], due_on=r["due_on"])


@strawberry.type
class CoopSettlement:
    """A base co-op's settlement for a period: revenue − cost = distributable profit."""

    id: strawberry.ID
    coop_id: strawberry.ID
    coop_name: str
    township_code: str
    period: str
    revenue: Decimal
    cost: Decimal
    distributable_profit: Decimal
    settled_at: datetime

    @classmethod
    def from_row(cls, r: dict) -> CoopSettlement:
        return cls(id=strawberry.ID(str(r["id"])), coop_id=strawberry.ID(str(r["coop_id"])),
                   coop_name=r["coop_name"], township_code=r["township_code"],
                   period=r["period"], revenue=r["revenue"], cost=r["cost"],
                   distributable_profit=r["distributable_profit"], settled_at=r["settled_at"])
