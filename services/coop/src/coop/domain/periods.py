"""Settlement periods: a month `2026-10` or a quarter `2026-Q3`, as half-open UTC intervals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from xiangzhi_shared.errors import InvalidState, ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def parse_period(label: str) -> Period:
    label = (label or "").strip()
    if m := _MONTH.match(label):
        y, mo = int(m.group(1)), int(m.group(2))
        ny, nm = _next_month(y, mo)
    elif m := _QUARTER.match(label):
        y, q = int(m.group(1)), int(m.group(2))
        mo = 3 * (q - 1) + 1
        ny, nm = (y + 1, 1) if q == 4 else (y, mo + 3)
    else:
        raise ValidationFailed("period must look like 2026-10 (month) or 2026-Q3 (quarter)",
                               field="period")
    return Period(label, datetime(y, mo, 1, tzinfo=UTC), datetime(ny, nm, 1, tzinfo=UTC))


def require_closed(period: Period, now: datetime) -> None:
    """Only a finished period can be settled: its trade can no longer change."""
    if now < period.end:
        raise InvalidState(f"period {period.label} is not over yet", field="period")


def period_of(moment: datetime, quarterly: bool = False) -> str:
    if quarterly:
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return f"{moment.year}-{moment.month:02d}"
