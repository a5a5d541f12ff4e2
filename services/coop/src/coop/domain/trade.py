"""States of an input order 农资订单, a produce lot 收购批次 and a service booking 服务预约,
and the checks a request must pass before it touches stock or capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from xiangzhi_shared.errors import InvalidState, ValidationFailed

from . import money


class OrderStatus(Enum):
    RESERVED = "RESERVED"   # stock is held for the buyer
    PAID = "PAID"
    CANCELLED = "CANCELLED"  # stock went back on the shelf


class BuyerKind(Enum):
    FARMER = "FARMER"
    COLLECTIVE = "COLLECTIVE"  # the village collective economic organisation


class LotStatus(Enum):
    RECORDED = "RECORDED"  # weighed; the amount is payable to the farmer
    PAID = "PAID"


class BookingStatus(Enum):
    BOOKED = "BOOKED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class ServiceKind(Enum):
    """耕种管收烘干: plough, sow, manage (spray, fertilise), harvest, dry."""

    PLOUGH = "PLOUGH"
    SOW = "SOW"
    MANAGE = "MANAGE"
    HARVEST = "HARVEST"
    DRY = "DRY"


class DemandKind(Enum):
    INPUT = "INPUT"
    SERVICE = "SERVICE"
    PRODUCE = "PRODUCE"


GRADES = ("A", "B", "C")
MAX_LINES = 50
MAX_AREA_MU = Decimal("10000")
MAX_WEIGHT_KG = Decimal("1000000")


@dataclass(frozen=True)
class PricedLine:
    item_id: object
    quantity: int
    list_price: Decimal
    unit_price: Decimal
    unit_cost: Decimal

    @property
    def amount(self) -> Decimal:
        return money.line_amount(self.quantity, self.unit_price)

    @property
    def discount(self) -> Decimal:
        return money.line_amount(self.quantity, self.list_price) - self.amount

    @property
    def cost(self) -> Decimal:
        return money.line_amount(self.quantity, self.unit_cost)


def validate_lines(lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(item id, quantity) pairs: at least one, no item twice, every quantity positive."""
    if not lines:
        raise ValidationFailed("an order needs at least one line", field="lines")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(f"an order has at most {MAX_LINES} lines", field="lines")
    seen = set()
    for item, qty in lines:
        if item in seen:
            raise ValidationFailed("an item appears twice in the order", field="lines")
        seen.add(item)
        money.quantity(qty, "quantity")
    return lines


def price_line(item_id: object, quantity: int, list_price: Decimal, unit_cost: Decimal,
               buyer: BuyerKind, discount_rate: Decimal | None) -> PricedLine:
    """Collectives buy at the 让利 price when the item has a discount rule; farmers at list."""
    unit_price = list_price
    if buyer is BuyerKind.COLLECTIVE and discount_rate:
        unit_price = money.discounted_price(list_price, discount_rate)
    return PricedLine(item_id, quantity, list_price, unit_price, unit_cost)


def pay(status: OrderStatus) -> OrderStatus:
    if status is not OrderStatus.RESERVED:
        raise InvalidState(f"only a reserved order can be paid; this one is {status.value}")
    return OrderStatus.PAID


def cancel(status: OrderStatus) -> OrderStatus:
    if status is not OrderStatus.RESERVED:
        raise InvalidState(f"only a reserved order can be cancelled; this one is {status.value}")
    return OrderStatus.CANCELLED


def pay_lot(status: LotStatus) -> LotStatus:
    if status is not LotStatus.RECORDED:
        raise InvalidState("this lot has already been paid")
    return LotStatus.PAID


def validate_grade(grade: str) -> str:
    g = (grade or "").strip().upper()
    if g not in GRADES:
        raise ValidationFailed(f"grade must be one of {', '.join(GRADES)}", field="grade")
    return g


def validate_weight(weight_kg: Decimal) -> Decimal:
    return money.positive(weight_kg, "weightKg", places=3, limit=MAX_WEIGHT_KG)


def validate_booking(service_date: date, area_mu: Decimal, today: date) -> Decimal:
    if service_date < today:
        raise ValidationFailed("the service date is in the past", field="date")
    if (service_date - today).days > 366:
        raise ValidationFailed("bookings open at most a year ahead", field="date")
    return money.positive(area_mu, "areaMu", places=2, limit=MAX_AREA_MU)


def complete_booking(status: BookingStatus, service_date: date, today: date) -> BookingStatus:
    if status is not BookingStatus.BOOKED:
        raise InvalidState(f"only a booked service can be completed; this one is {status.value}")
    if service_date > today:
        raise InvalidState("a service cannot be completed before its date")
    return BookingStatus.COMPLETED


def cancel_booking(status: BookingStatus) -> BookingStatus:
    if status is not BookingStatus.BOOKED:
        raise InvalidState(f"only a booked service can be cancelled; this one is {status.value}")
    return BookingStatus.CANCELLED
