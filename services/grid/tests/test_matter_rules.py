"""The five-step loop, deadlines, escalation and scope as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from grid.domain import matters as rules
from grid.domain import scope
from grid.domain.matters import SLA, MatterCategory, MatterStatus
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, InvalidState, ValidationFailed

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def reported(category: MatterCategory = MatterCategory.ROAD, code: str = "QY.01.002.01"):
    return rules.report(category, code, NOW).matter


def walk(to: str):
    m = reported()
    steps = {
        "accepted": lambda m: rules.accept(m, NOW),
        "assigned": lambda m: rules.assign(m, "worker-1"),
        "handled": lambda m: rules.handle(m, "repaired the road"),
        "closed": lambda m: rules.close(m, "done"),
        "followed_up": lambda m: rules.follow_up(m, 4, "ok"),
    }
    for name, step in steps.items():
        m = step(m).matter
        if name == to:
            return m
    raise AssertionError(to)


def test_matter_starts_reported_and_answerable_to_its_village():
    m = reported(code="QY.01.002.01")
    assert m.status is MatterStatus.REPORTED
    assert m.responsible_code == "QY.01.002"


def test_matter_cannot_be_reported_above_village_level():
    with pytest.raises(ValidationFailed):
        rules.report(MatterCategory.ROAD, "QY.01", NOW)


def test_full_loop_reaches_followed_up():
    m = walk("followed_up")
    assert m.status is MatterStatus.FOLLOWED_UP
    assert m.satisfaction == 4
    assert m.handling_record == "repaired the road"


def test_accept_sets_deadline_from_category_sla():
    for category in MatterCategory:
        m = rules.accept(reported(category), NOW).matter
        assert m.due_at == NOW + SLA[category]


def test_every_category_has_a_deadline():
    assert set(SLA) == set(MatterCategory)


def test_matter_cannot_close_without_handling_record():
    with pytest.raises(InvalidState):
        rules.close(walk("assigned"), "closing early")


def test_handling_record_must_not_be_blank():
    with pytest.raises(ValidationFailed):
        rules.handle(walk("assigned"), "   ")


def test_matter_cannot_finish_without_follow_up_rating():
    m = walk("closed")
    for bad in (0, 6, -1):
        with pytest.raises(ValidationFailed):
            rules.follow_up(m, bad, None)
    assert m.status is MatterStatus.CLOSED


def test_follow_up_only_after_close():
    with pytest.raises(InvalidState):
        rules.follow_up(walk("handled"), 5, None)


@pytest.mark.parametrize("status_step,action", [
    ("accepted", lambda m: rules.accept(m, NOW)),
    ("followed_up", lambda m: rules.assign(m, "x")),
    ("closed", lambda m: rules.handle(m, "again")),
    ("followed_up", lambda m: rules.close(m, None)),
    ("followed_up", lambda m: rules.follow_up(m, 5, None)),
])
def test_invalid_transitions_raise_invalid_state(status_step, action):
    with pytest.raises(InvalidState) as err:
        action(walk(status_step))
    assert err.value.extensions["code"] == "INVALID_STATE"


def test_reassignment_before_handling_is_allowed():
    m = rules.assign(walk("assigned"), "worker-2").matter
    assert m.assignee_id == "worker-2" and m.status is MatterStatus.ASSIGNED


def test_text_longer_than_limit_is_rejected():
    with pytest.raises(ValidationFailed):
        rules.validate_title("x" * (rules.TITLE_MAX + 1))
    with pytest.raises(ValidationFailed):
        rules.handle(walk("assigned"), "x" * (rules.TEXT_MAX + 1))


def test_overdue_matter_escalates_village_to_township_to_county():
    m = walk("accepted")
    later = m.due_at + timedelta(minutes=1)
    t1 = rules.escalate(m, later)
    assert t1 is not None and t1.matter.responsible_code == "QY.01"
    assert t1.matter.escalation_level == 1
    assert t1.matter.due_at == later + SLA[m.category]
    even_later = t1.matter.due_at + timedelta(minutes=1)
    t2 = rules.escalate(t1.matter, even_later)
    assert t2 is not None and t2.matter.responsible_code == "QY"
    assert rules.escalate(t2.matter, t2.matter.due_at + timedelta(days=1)) is None


def test_matter_within_deadline_or_closed_does_not_escalate():
    m = walk("accepted")
    assert rules.escalate(m, m.due_at - timedelta(seconds=1)) is None
    closed = walk("closed")
    assert rules.escalate(closed, NOW + timedelta(days=30)) is None


def test_reported_matter_without_deadline_is_not_overdue():
    assert not rules.is_overdue(reported(), NOW + timedelta(days=365))


def staff(role: str, region: str) -> Principal:
    return Principal(subject="s1", roles=frozenset({role}), region=region)


def test_village_cadre_sees_only_own_village_subtree():
    cadre = staff("village_cadre", "QY.01.002")
    assert scope.can_read_matter(cadre, "QY.01.002.01", None)
    assert not scope.can_read_matter(cadre, "QY.01.003.01", None)
    assert not scope.can_read_matter(cadre, "QY.01", None)


def test_prefix_of_a_code_is_not_a_parent():
    cadre = staff("village_cadre", "QY.01.00")
    assert not scope.can_read_matter(cadre, "QY.01.002.01", None)


def test_resident_sees_only_own_matters():
    me = Principal(subject="r1", roles=frozenset({"resident"}), region="QY.01.002.01")
    assert scope.can_read_matter(me, "QY.01.002.01", "r1")
    assert not scope.can_read_matter(me, "QY.01.002.01", "r2")
    with pytest.raises(Forbidden):
        scope.require_work_matter(me, "QY.01.002.01")


def test_county_admin_works_everywhere_in_county():
    admin = staff("county_admin", "QY")
    scope.require_work_matter(admin, "QY.02.003.02")
    with pytest.raises(Forbidden):
        scope.require_work_matter(admin, "ZZ.01.001")
