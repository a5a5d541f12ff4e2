"""三张清单 (resource / demand / responsibility lists): a demand is claimed by a township
unit (school, police station, clinic...) and tracked as a project until done."""

from __future__ import annotations

from enum import Enum

from xiangzhi_shared.errors import InvalidState, ValidationFailed


class ListKind(Enum):
    RESOURCE = "RESOURCE"
    DEMAND = "DEMAND"
    RESPONSIBILITY = "RESPONSIBILITY"


class ListItemStatus(Enum):
    OPEN = "OPEN"
    CLAIMED = "CLAIMED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


def claim(status: ListItemStatus, unit: str) -> ListItemStatus:
    if status is not ListItemStatus.OPEN:
        raise InvalidState(f"only an OPEN item can be claimed; this one is {status.value}")
    if not unit.strip() or len(unit) > 200:
        raise ValidationFailed("unit must be 1 to 200 characters", field="unit")
    return ListItemStatus.CLAIMED


def progress(status: ListItemStatus, current: int, percent: int) -> ListItemStatus:
    if status not in (ListItemStatus.CLAIMED, ListItemStatus.IN_PROGRESS):
        raise InvalidState(f"progress is tracked only on claimed items; this one is {status.value}")
    if not 0 <= percent <= 100:
        raise ValidationFailed("percent must be between 0 and 100", field="percent")
    if percent < current:
        raise ValidationFailed("progress cannot go backwards", field="percent")
    return ListItemStatus.DONE if percent == 100 else ListItemStatus.IN_PROGRESS
