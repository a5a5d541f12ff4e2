"""Tickets and their lifecycle: reported → routed → accepted → in progress → resolved →
confirmed by the reporter (or reopened, then routed again). Every transition is checked
here; anything else is INVALID_STATE. Deadlines follow the category's SLA."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from xiangzhi_shared.errors import InvalidState, ValidationFailed

from .categories import SLA, TicketCategory
from .routing import Route, RouteKind


class TicketStatus(Enum):
    REPORTED = "REPORTED"
    ROUTED = "ROUTED"            # to a coordinator or the partner's specialists
    ACCEPTED = "ACCEPTED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CONFIRMED = "CONFIRMED"      # the reporter confirmed the resolution: done
    REOPENED = "REOPENED"        # the reporter was not satisfied; it is routed again


OPEN_STATUSES = frozenset({TicketStatus.REPORTED, TicketStatus.ROUTED, TicketStatus.ACCEPTED,
                           TicketStatus.IN_PROGRESS, TicketStatus.REOPENED})
# How far along the work is; an update never moves a ticket to a lower rank.
RANK = {TicketStatus.REPORTED: 0, TicketStatus.REOPENED: 0, TicketStatus.ROUTED: 1,
        TicketStatus.ACCEPTED: 2, TicketStatus.IN_PROGRESS: 3, TicketStatus.RESOLVED: 4,
        TicketStatus.CONFIRMED: 5}
# The statuses a partner (or coordinator) reports progress with.
WORK_STATUSES = (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED)

TITLE_MAX = 200
TEXT_MAX = 4000
PHOTOS_MAX = 9


@dataclass(frozen=True)
class Ticket:
    status: TicketStatus
    category: TicketCategory
    partner: str
    reported_at: datetime
    due_at: datetime
    route: RouteKind | None = None
    coordinator_id: str | None = None
    resolution: str | None = None
    reopened_at: datetime | None = None


@dataclass(frozen=True)
class Transition:
    change: str  # reported, routed, accepted, started, resolved, confirmed, reopened, escalated
    ticket: Ticket
    note: str | None = None


def text(value: str | None, field: str, *, required: bool, limit: int = TEXT_MAX) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(cleaned) > limit:
        raise ValidationFailed(f"{field} is longer than {limit} characters", field=field)
    return cleaned or None


def photo_refs(refs: list[str] | None) -> list[str]:
    """Photos travel by reference (an object-store key or URL), never as bytes."""
    cleaned = [r.strip() for r in refs or [] if r.strip()]
    if len(cleaned) > PHOTOS_MAX:
        raise ValidationFailed(f"at most {PHOTOS_MAX} photos", field="photoRefs")
    if any(len(r) > 500 for r in cleaned):
        raise ValidationFailed("a photo reference is longer than 500 characters",
                               field="photoRefs")
    return cleaned


def report(category: TicketCategory, partner: str, now: datetime) -> Transition:
    return Transition("reported", Ticket(TicketStatus.REPORTED, category, partner, now,
                                         due_at=now + SLA[category]))


def _require(t: Ticket, allowed: tuple[TicketStatus, ...], action: str) -> None:
    if t.status not in allowed:
        raise InvalidState(f"cannot {action} a ticket that is {t.status.value}; it must be "
                           f"{' or '.join(s.value for s in allowed)}", status=t.status.value)


def route(t: Ticket, r: Route) -> Transition:
    _require(t, (TicketStatus.REPORTED, TicketStatus.REOPENED), "route")
    return Transition("routed", replace(t, status=TicketStatus.ROUTED, route=r.kind,
                                        coordinator_id=r.coordinator_id), note=r.reason)


def escalate(t: Ticket, category: TicketCategory, reason: str | None) -> Transition:
    """A coordinator finds the work is professional (e.g. a simple check reveals a fault) and
    hands it to the partner's specialists; the deadline follows the new category."""
    _require(t, (TicketStatus.ROUTED, TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS),
             "escalate")
    if t.route is not RouteKind.COORDINATOR:
        raise InvalidState("the ticket is already with the partner's specialists")
    if not category.professional:
        raise ValidationFailed("escalate to a professional category (FAULT_REPAIR, "
                               "LINE_MAINTENANCE)", field="category")
    note = text(reason, "reason", required=True)
    return Transition("escalated", replace(t, status=TicketStatus.ROUTED, category=category,
                                           route=RouteKind.PARTNER, coordinator_id=None,
                                           due_at=t.reported_at + SLA[category]), note=note)


def accept(t: Ticket) -> Transition:
    _require(t, (TicketStatus.ROUTED,), "accept")
    return Transition("accepted", replace(t, status=TicketStatus.ACCEPTED))


def start(t: Ticket, note: str | None = None) -> Transition:
    _require(t, (TicketStatus.ACCEPTED,), "start work on")
    return Transition("started", replace(t, status=TicketStatus.IN_PROGRESS),
                      note=text(note, "note", required=False))


def resolve(t: Ticket, resolution: str) -> Transition:
    _require(t, (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS), "resolve")
    record = text(resolution, "resolution", required=True)
    return Transition("resolved", replace(t, status=TicketStatus.RESOLVED, resolution=record),
                      note=record)


def confirm(t: Ticket) -> Transition:
    _require(t, (TicketStatus.RESOLVED,), "confirm")
    return Transition("confirmed", replace(t, status=TicketStatus.CONFIRMED))


def reopen(t: Ticket, reason: str, now: datetime) -> Transition:
    """Not resolved to the reporter's satisfaction: a fresh deadline, then routed again."""
    _require(t, (TicketStatus.RESOLVED,), "reopen")
    note = text(reason, "reason", required=True)
    return Transition("reopened", replace(t, status=TicketStatus.REOPENED, resolution=None,
                                          reopened_at=now, due_at=now + SLA[t.category]),
                      note=note)


def advance(t: Ticket, target: TicketStatus, note: str | None) -> list[Transition]:
    """The steps that bring a ticket forward to `target` (a progress update from the partner or
    coordinator): ACCEPTED, IN_PROGRESS or RESOLVED, skipping steps the reporter left out.
    An update at or behind the ticket's current progress is stale: InvalidState."""
    if target not in WORK_STATUSES:
        raise ValidationFailed(f"progress is reported as ACCEPTED, IN_PROGRESS or RESOLVED, "
                               f"not {target.value}", field="status")
    if t.status in (TicketStatus.REPORTED, TicketStatus.REOPENED) or \
            RANK[target] <= RANK[t.status]:
        raise InvalidState(f"a ticket that is {t.status.value} cannot move to {target.value}",
                           status=t.status.value)
    steps: list[Transition] = []
    current = t
    while current.status is not target:
        if current.status is TicketStatus.ROUTED:
            step = accept(current)
        elif current.status is TicketStatus.ACCEPTED and target is TicketStatus.IN_PROGRESS:
            step = start(current, note)
        else:  # ACCEPTED or IN_PROGRESS, going to RESOLVED
            step = resolve(current, note or "")
        steps.append(step)
        current = step.ticket
    return steps


def is_stale_update(t: Ticket, occurred_at: datetime | None) -> bool:
    """An update made before the ticket was reopened belongs to the earlier attempt."""
    return t.reopened_at is not None and occurred_at is not None and occurred_at < t.reopened_at


def is_overdue(t: Ticket, now: datetime) -> bool:
    return t.status in OPEN_STATUSES and now > t.due_at
