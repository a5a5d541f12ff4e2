"""route_ticket: where a ticket goes. Pure, so every case is a table test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from .categories import TicketCategory
from .coordinators import Candidate


class RouteKind(Enum):
    COORDINATOR = "COORDINATOR"  # a village network coordinator 网协员 handles it
    PARTNER = "PARTNER"          # escalated to the partner's specialists via its feed


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    coordinator_id: str | None
    reason: str


def route_ticket(category: TicketCategory, partner: str, coordinators: Sequence[Candidate],
                 now: datetime) -> Route:
    """Professional work always goes to the partner. General work goes to the least-loaded
    coordinator of the village who is active, certified and currently authorised by this
    partner for this category (ties broken by id, so the same input gives the same answer);
    with none available it is escalated to the partner too."""
    if category.professional:
        return Route(RouteKind.PARTNER, None, "professional work goes to the partner's specialists")
    eligible = [c for c in coordinators if c.may_take(partner, category, now)]
    if not eligible:
        return Route(RouteKind.PARTNER, None,
                     "no authorised coordinator available in the village; escalated")
    chosen = min(eligible, key=lambda c: (c.open_load, c.coordinator_id))
    return Route(RouteKind.COORDINATOR, chosen.coordinator_id,
                 f"authorised coordinator with {chosen.open_load} open ticket(s)")
