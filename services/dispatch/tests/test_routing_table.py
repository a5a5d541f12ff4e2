"""route_ticket over every category × coordinator availability × authorisation validity."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from dispatch.domain.categories import GENERAL, PROFESSIONAL, TicketCategory
from dispatch.domain.coordinators import Authorisation, Candidate, Certificate
from dispatch.domain.routing import RouteKind, route_ticket

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
CERT = Certificate(issued_on=date(2025, 1, 1), expires_on=date(2028, 1, 1))


def auth(validity: str, category: TicketCategory, partner: str = "power") -> Authorisation:
    """One authorisation in each state routing must tell apart."""
    scope = frozenset(GENERAL)
    start, end, revoked = NOW - timedelta(days=30), NOW + timedelta(days=30), None
    if validity == "expired":
        end = NOW - timedelta(seconds=1)
    elif validity == "expires_now":
        end = NOW  # valid until, not including, its expiry
    elif validity == "not_yet_valid":
        start = NOW + timedelta(days=1)
    elif validity == "revoked":
        revoked = NOW - timedelta(minutes=5)
    elif validity == "other_partner":
        partner = "gas"
    elif validity == "category_out_of_scope":
        scope = frozenset(GENERAL - {category}) or frozenset({TicketCategory.ORDER_KEEPING})
    return Authorisation(partner, scope, start, end, revoked)


VALIDITY = ["valid", "expired", "expires_now", "not_yet_valid", "revoked", "other_partner",
            "category_out_of_scope"]
AVAILABILITY = ["none", "one_active", "inactive", "uncertified", "certificate_expired",
                "certificate_revoked"]


def coordinators(availability: str, validity: str, category: TicketCategory) -> list[Candidate]:
    if availability == "none":
        return []
    cert: Certificate | None = CERT
    if availability == "uncertified":
        cert = None
    elif availability == "certificate_expired":
        cert = Certificate(date(2024, 1, 1), expires_on=date(2026, 6, 14))
    elif availability == "certificate_revoked":
        cert = Certificate(date(2025, 1, 1), revoked_at=NOW - timedelta(hours=1))
    return [Candidate("c-1", availability != "inactive", cert, (auth(validity, category),), 0)]


@pytest.mark.parametrize(("category", "availability", "validity"),
                         list(itertools.product(TicketCategory, AVAILABILITY, VALIDITY)))
def test_route_every_category_availability_and_validity(category, availability, validity):
    route = route_ticket(category, "power", coordinators(availability, validity, category), NOW)
    takes = (category in GENERAL and availability == "one_active" and validity == "valid")
    if takes:
        assert route.kind is RouteKind.COORDINATOR
        assert route.coordinator_id == "c-1"
    else:
        assert route.kind is RouteKind.PARTNER
        assert route.coordinator_id is None


@pytest.mark.parametrize("category", sorted(PROFESSIONAL, key=lambda c: c.value))
def test_professional_work_goes_to_the_partner_even_with_an_authorised_coordinator(category):
    anyone = Candidate("c-1", True, CERT, (Authorisation("power", frozenset(TicketCategory),
                                                         NOW - timedelta(1), NOW + timedelta(1)),))
    route = route_ticket(category, "power", [anyone], NOW)
    assert route.kind is RouteKind.PARTNER


def test_least_loaded_coordinator_first_with_a_deterministic_tie_break():
    a = auth("valid", TicketCategory.SIMPLE_CHECK)
    busy = Candidate("c-busy", True, CERT, (a,), open_load=3)
    idle_b = Candidate("c-b", True, CERT, (a,), open_load=1)
    idle_a = Candidate("c-a", True, CERT, (a,), open_load=1)
    for order in itertools.permutations([busy, idle_b, idle_a]):
        route = route_ticket(TicketCategory.SIMPLE_CHECK, "power", list(order), NOW)
        assert route.coordinator_id == "c-a"


def test_an_invalid_coordinator_is_skipped_for_a_valid_busier_one():
    expired = Candidate("c-1", True, CERT, (auth("expired", TicketCategory.METER_READING),), 0)
    valid = Candidate("c-2", True, CERT, (auth("valid", TicketCategory.METER_READING),), 9)
    route = route_ticket(TicketCategory.METER_READING, "power", [expired, valid], NOW)
    assert route.coordinator_id == "c-2"


def test_one_valid_authorisation_among_several_is_enough():
    c = Candidate("c-1", True, CERT, (auth("expired", TicketCategory.ORDER_KEEPING),
                                      auth("valid", TicketCategory.ORDER_KEEPING)), 0)
    assert route_ticket(TicketCategory.ORDER_KEEPING, "power", [c], NOW).kind is \
        RouteKind.COORDINATOR
