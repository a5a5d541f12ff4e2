"""Matters (事项) and the five-step closed loop 五步闭合:
受理 accept → 交办 assign → 办理 handle → 办结 close → 回访 follow-up,
under 事必理、理必结、结必访: every matter is handled, every handled matter closed, every
closed matter visited. A matter cannot be closed without a handling record, nor finished
without the follow-up and the resident's satisfaction rating.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from xiangzhi_shared.auth import parent_region, region_depth
from xiangzhi_shared.errors import InvalidState, ValidationFailed


class MatterStatus(Enum):
    REPORTED = "REPORTED"        # a resident (or staff) reported it; not yet accepted
    ACCEPTED = "ACCEPTED"        # 受理
    ASSIGNED = "ASSIGNED"        # 交办
    HANDLED = "HANDLED"          # 办理: a handling record exists
    CLOSED = "CLOSED"            # 办结
    FOLLOWED_UP = "FOLLOWED_UP"  # 回访 done with a satisfaction rating: the loop is closed


OPEN_STATUSES = frozenset({MatterStatus.REPORTED, MatterStatus.ACCEPTED, MatterStatus.ASSIGNED,
                           MatterStatus.HANDLED})


class MatterCategory(Enum):
    UTILITY_POWER = "UTILITY_POWER"
    UTILITY_GAS = "UTILITY_GAS"
    UTILITY_WATER = "UTILITY_WATER"
    UTILITY_MOBILE = "UTILITY_MOBILE"
    UTILITY_TELECOM = "UTILITY_TELECOM"
    UTILITY_BROADCAST = "UTILITY_BROADCAST"
    UTILITY_POST = "UTILITY_POST"
    ROAD = "ROAD"
    ENVIRONMENT = "ENVIRONMENT"
    SAFETY = "SAFETY"
    DISPUTE = "DISPUTE"
    SOCIAL_ASSISTANCE = "SOCIAL_ASSISTANCE"
    OTHER = "OTHER"

    @property
    def is_utility(self) -> bool:
        """Utility-network problems are dispatched to a partner (村网共建) via events."""
        return self.value.startswith("UTILITY_")


# Deadline from acceptance, per category: safety and utilities first.
SLA = {
    MatterCategory.SAFETY: timedelta(hours=12),
    MatterCategory.UTILITY_POWER: timedelta(hours=24),
    MatterCategory.UTILITY_GAS: timedelta(hours=12),
    MatterCategory.UTILITY_WATER: timedelta(hours=24),
    MatterCategory.UTILITY_MOBILE: timedelta(hours=48),
    MatterCategory.UTILITY_TELECOM: timedelta(hours=48),
    MatterCategory.UTILITY_BROADCAST: timedelta(hours=72),
    MatterCategory.UTILITY_POST: timedelta(hours=72),
    MatterCategory.ROAD: timedelta(hours=72),
    MatterCategory.ENVIRONMENT: timedelta(hours=72),
    MatterCategory.DISPUTE: timedelta(hours=72),
    MatterCategory.SOCIAL_ASSISTANCE: timedelta(hours=48),
    MatterCategory.OTHER: timedelta(hours=120),
}

TITLE_MAX = 200
TEXT_MAX = 4000


@dataclass(frozen=True)
class Matter:
    """The state the rules need; the store maps rows to and from it."""

    status: MatterStatus
    category: MatterCategory
    region_code: str              # where it happened (a grid or a village)
    responsible_code: str         # the level now answerable for it: village, then up
    reported_at: datetime
    due_at: datetime | None = None
    assignee_id: str | None = None
    handling_record: str | None = None
    closing_summary: str | None = None
    satisfaction: int | None = None
    escalation_level: int = 0


@dataclass(frozen=True)
class Transition:
    change: str          # reported, accepted, assigned, handled, closed, followed_up, escalated
    matter: Matter
    note: str | None = None


def _text(value: str | None, field: str, *, required: bool, limit: int = TEXT_MAX) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(text) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters", field=field)
    return text or None


def validate_title(title: str) -> str:
    return _text(title, "title", required=True, limit=TITLE_MAX) or ""


def validate_description(text: str | None) -> str | None:
    return _text(text, "description", required=False)


def validate_location(text: str | None) -> str | None:
    return _text(text, "location", required=False, limit=TITLE_MAX)


def village_of(region_code: str) -> str:
    """The village a grid or village code belongs to (matters start there)."""
    if region_depth(region_code) < 2:
        raise ValidationFailed("a matter must be reported in a village or a grid",
                               field="regionId")
    return ".".join(region_code.split(".")[:3])


def report(category: MatterCategory, region_code: str, now: datetime) -> Transition:
    village = village_of(region_code)
    return Transition("reported", Matter(MatterStatus.REPORTED, category, region_code, village,
                                         reported_at=now))


def _require(matter: Matter, allowed: MatterStatus, action: str) -> None:
    if matter.status is not allowed:
        raise InvalidState(f"cannot {action} a matter that is {matter.status.value}; "
                           f"it must be {allowed.value}", status=matter.status.value)


def accept(matter: Matter, now: datetime) -> Transition:
    """受理: the clock starts; the deadline follows the category."""
    _require(matter, MatterStatus.REPORTED, "accept")
    return Transition("accepted", replace(matter, status=MatterStatus.ACCEPTED,
                                          due_at=now + SLA[matter.category]))


def assign(matter: Matter, assignee_id: str) -> Transition:
    """交办: to a grid worker, cadre or unit; re-assigning before handling is allowed."""
    if matter.status not in (MatterStatus.ACCEPTED, MatterStatus.ASSIGNED):
        raise InvalidState(f"cannot assign a matter that is {matter.status.value}",
                           status=matter.status.value)
    if not assignee_id:
        raise ValidationFailed("assignee must be given", field="assigneeId")
    return Transition("assigned", replace(matter, status=MatterStatus.ASSIGNED,
                                          assignee_id=assignee_id))


def handle(matter: Matter, record: str) -> Transition:
    """办理: the handling record is what makes closing possible."""
    _require(matter, MatterStatus.ASSIGNED, "record handling of")
    text = _text(record, "handlingRecord", required=True)
    return Transition("handled", replace(matter, status=MatterStatus.HANDLED,
                                         handling_record=text), note=text)


def close(matter: Matter, summary: str | None) -> Transition:
    """办结: only with a handling record (理必结)."""
    _require(matter, MatterStatus.HANDLED, "close")
    if not matter.handling_record:
        raise InvalidState("cannot close a matter without a handling record")
    text = _text(summary, "summary", required=False)
    return Transition("closed", replace(matter, status=MatterStatus.CLOSED, closing_summary=text),
                      note=text)


def follow_up(matter: Matter, satisfaction: int, remark: str | None) -> Transition:
    """回访 (结必访): finishing requires the resident's satisfaction rating, 1 to 5."""
    _require(matter, MatterStatus.CLOSED, "follow up")
    if not 1 <= satisfaction <= 5:
        raise ValidationFailed("satisfaction must be between 1 and 5", field="satisfaction")
    text = _text(remark, "remark", required=False)
    return Transition("followed_up", replace(matter, status=MatterStatus.FOLLOWED_UP,
                                             satisfaction=satisfaction), note=text)


def is_overdue(matter: Matter, now: datetime) -> bool:
    return matter.status in OPEN_STATUSES and matter.due_at is not None and now > matter.due_at


def escalate(matter: Matter, now: datetime) -> Transition | None:
    """An overdue matter moves one level up the tree (村 → 乡 → 县) with a fresh deadline.
    At the county it stays, overdue, for the county to act on. None when nothing to do."""
    if not is_overdue(matter, now):
        return None
    parent = parent_region(matter.responsible_code)
    if parent is None:
        return None
    return Transition("escalated", replace(matter, responsible_code=parent,
                                           escalation_level=matter.escalation_level + 1,
                                           due_at=now + SLA[matter.category]),
                      note=f"overdue; escalated to {parent}")


def closed_on_time(matter: Matter, closed_at: datetime | None) -> bool:
    return closed_at is not None and matter.due_at is not None and closed_at <= matter.due_at
