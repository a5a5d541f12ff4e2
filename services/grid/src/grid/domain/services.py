"""Convenience services: appointments 预约服务, proxy errands 便民代办 and special-group
visits 五必访五必问 (elderly, left-behind children, people in hardship)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from xiangzhi_shared.errors import InvalidState, ValidationFailed


class ServiceKind(Enum):
    APPOINTMENT = "APPOINTMENT"
    PROXY_ERRAND = "PROXY_ERRAND"
    VISIT = "VISIT"


class ServiceStatus(Enum):
    REQUESTED = "REQUESTED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


SPECIAL_GROUPS = frozenset({"ELDERLY", "LEFT_BEHIND_CHILD", "HARDSHIP", "DISABLED"})


def request(kind: ServiceKind, scheduled_for: datetime | None, now: datetime) -> ServiceStatus:
    if kind is ServiceKind.APPOINTMENT and scheduled_for is None:
        raise ValidationFailed("an appointment needs a time", field="scheduledFor")
    if scheduled_for is not None and scheduled_for < now:
        raise ValidationFailed("scheduledFor is in the past", field="scheduledFor")
    return ServiceStatus.REQUESTED


def finish(status: ServiceStatus, outcome: ServiceStatus) -> ServiceStatus:
    if status is not ServiceStatus.REQUESTED:
        raise InvalidState(f"this request is already {status.value}")
    return outcome
