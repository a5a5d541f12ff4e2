"""The ticket lifecycle and purchased-service arithmetic, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from dispatch.domain import billing
from dispatch.domain import tickets as rules
from dispatch.domain.categories import SLA, TicketCategory
from dispatch.domain.partners import partner_of_matter_category, partner_of_topic
from dispatch.domain.routing import Route, RouteKind
from dispatch.domain.tickets import TicketStatus as S
from xiangzhi_shared.errors import InvalidState, ValidationFailed

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
TO_PARTNER = Route(RouteKind.PARTNER, None, "test")
TO_COORDINATOR = Route(RouteKind.COORDINATOR, "c-1", "test")


def routed(category=TicketCategory.FAULT_REPAIR, r=TO_PARTNER):
    t = rules.report(category, "power", NOW).ticket
    return rules.route(t, r).ticket


def test_deadline_follows_the_category_sla():
    t = rules.report(TicketCategory.FAULT_REPAIR, "power", NOW).ticket
    assert t.status is S.REPORTED and t.due_at == NOW + SLA[TicketCategory.FAULT_REPAIR]
    assert not rules.is_overdue(t, NOW + timedelta(hours=23))
    assert rules.is_overdue(t, NOW + timedelta(hours=25))


def test_full_lifecycle_reported_to_confirmed():
    t = routed()
    for step in (rules.accept, rules.start):
        t = step(t).ticket
    t = rules.resolve(t, "更换熔断器").ticket
    assert t.status is S.RESOLVED and t.resolution == "更换熔断器"
    t = rules.confirm(t).ticket
    assert t.status is S.CONFIRMED
    assert not rules.is_overdue(t, NOW + timedelta(days=30))


@pytest.mark.parametrize(("status", "action"), [
    (S.REPORTED, rules.accept), (S.ROUTED, rules.start), (S.CONFIRMED, rules.accept),
    (S.REPORTED, rules.confirm), (S.IN_PROGRESS, rules.confirm)])
def test_transitions_out_of_order_are_invalid_state(status, action):
    t = rules.report(TicketCategory.FAULT_REPAIR, "power", NOW).ticket
    from dataclasses import replace
    with pytest.raises(InvalidState):
        action(replace(t, status=status))


def test_resolving_needs_a_resolution():
    t = rules.accept(routed()).ticket
    with pytest.raises(ValidationFailed):
        rules.resolve(t, "   ")


def test_reopen_gives_a_fresh_deadline_and_routes_again():
    t = rules.resolve(rules.accept(routed()).ticket, "done").ticket
    later = NOW + timedelta(days=3)
    r = rules.reopen(t, "还是没电", later).ticket
    assert r.status is S.REOPENED and r.resolution is None and r.reopened_at == later
    assert r.due_at == later + SLA[TicketCategory.FAULT_REPAIR]
    assert rules.route(r, TO_PARTNER).ticket.status is S.ROUTED
    with pytest.raises(ValidationFailed):
        rules.reopen(t, "", later)


def test_advance_skips_forward_but_never_moves_back():
    t = routed()
    steps = rules.advance(t, S.RESOLVED, "修好了")
    assert [s.change for s in steps] == ["accepted", "resolved"]
    assert steps[-1].ticket.status is S.RESOLVED
    steps = rules.advance(t, S.IN_PROGRESS, None)
    assert [s.change for s in steps] == ["accepted", "started"]
    in_progress = steps[-1].ticket
    for stale in (S.ACCEPTED, S.IN_PROGRESS):
        with pytest.raises(InvalidState):
            rules.advance(in_progress, stale, None)
    with pytest.raises(ValidationFailed):
        rules.advance(t, S.CONFIRMED, None)


def test_an_update_from_before_a_reopen_is_stale():
    t = rules.resolve(rules.accept(routed()).ticket, "done").ticket
    r = rules.reopen(t, "not fixed", NOW + timedelta(hours=5)).ticket
    assert rules.is_stale_update(r, NOW + timedelta(hours=4))
    assert not rules.is_stale_update(r, NOW + timedelta(hours=6))


def test_escalation_hands_a_coordinator_ticket_to_the_partner():
    t = routed(TicketCategory.SIMPLE_CHECK, TO_COORDINATOR)
    e = rules.escalate(t, TicketCategory.FAULT_REPAIR, "发现线路故障").ticket
    assert e.route is RouteKind.PARTNER and e.coordinator_id is None
    assert e.category is TicketCategory.FAULT_REPAIR
    with pytest.raises(InvalidState):
        rules.escalate(e, TicketCategory.FAULT_REPAIR, "again")
    with pytest.raises(ValidationFailed):
        rules.escalate(t, TicketCategory.METER_READING, "not professional")


def test_matter_categories_map_to_partners():
    assert partner_of_matter_category("UTILITY_POWER").value == "power"
    assert partner_of_matter_category("UTILITY_BROADCAST").value == "broadcast"
    assert partner_of_matter_category("ROAD") is None
    assert partner_of_topic("partner.gas.updates.v1") == "gas"
    assert partner_of_topic("grid.matter.v1") is None


def test_statement_totals_are_exact_and_reconcile():
    amounts = [billing.work_amount(Decimal("1.80")) for _ in range(7)] + [Decimal("25.50")]
    totals = billing.statement_totals(amounts, [Decimal("-3.10"), Decimal("0.01")])
    assert totals.work == Decimal("38.10")
    assert totals.adjustments == Decimal("-3.09")
    assert totals.total == Decimal("35.01") == totals.work + totals.adjustments
    assert totals.records == 8


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "1.234", "1e9"])
def test_money_refuses_what_is_not_an_amount_in_fen(bad):
    with pytest.raises(ValidationFailed):
        billing.money(bad)


def test_issued_statement_cannot_change():
    billing.require_draft("DRAFT")
    with pytest.raises(InvalidState):
        billing.require_draft("ISSUED")
