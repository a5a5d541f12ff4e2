"""Who may see and change which ticket. Pure: callers pass the ticket's facts.

A resident sees the tickets they reported; a coordinator those assigned to them (and those
they reported); staff their region's subtree; utility staff only their partner's tickets."""

from __future__ import annotations

from xiangzhi_shared.auth import Principal, region_contains
from xiangzhi_shared.errors import Forbidden

REPORTERS = ("resident", "grid_worker", "coordinator", "village_cadre", "township_admin",
             "county_admin")
REGION_STAFF = ("grid_worker", "village_cadre", "party_member", "township_admin", "county_admin")
ADMINS = ("township_admin", "county_admin")


def can_read_ticket(p: Principal, *, region_code: str, partner: str, reporter_id: str,
                    coordinator_id: str | None) -> bool:
    if not p.authenticated:
        return False
    if p.has_role(*REGION_STAFF) and p.sees_region(region_code):
        return True
    if p.has_role("utility_staff") and p.partner is not None and p.partner == partner:
        return True
    if p.has_role("coordinator") and p.subject in (coordinator_id, reporter_id):
        return True
    return reporter_id == p.subject


def require_read_ticket(p: Principal, **facts: str | None) -> None:
    p.require()
    if not can_read_ticket(p, **facts):  # type: ignore[arg-type]
        raise Forbidden("this ticket is outside your scope")


def require_report_in(p: Principal, village_code: str, region_code: str) -> None:
    """Residents report in their own village (their token's region is their grid or
    village); staff and coordinators report in their scope."""
    p.require(*REPORTERS)
    if p.has_role("grid_worker", "coordinator", "village_cadre", *ADMINS) and \
            p.sees_region(region_code):
        return
    if p.has_role("resident") and p.region and region_contains(village_code, p.region):
        return
    raise Forbidden(f"region {region_code} is outside your scope")


def require_work_ticket(p: Principal, *, route: str | None, partner: str,
                        coordinator_id: str | None) -> None:
    """Progress on a ticket is reported by whoever it was routed to: its coordinator, or the
    staff of its partner."""
    p.require("coordinator", "utility_staff")
    if route == "COORDINATOR" and p.has_role("coordinator") and p.subject == coordinator_id:
        return
    if route == "PARTNER" and p.has_role("utility_staff"):
        p.require_partner(partner)
        return
    raise Forbidden("only the coordinator or partner the ticket is routed to may work it")


def require_reporter_or_admin(p: Principal, *, reporter_id: str, region_code: str) -> None:
    """Confirming or reopening is the reporter's call (or an admin's on their behalf)."""
    p.require()
    if p.subject == reporter_id:
        return
    p.require(*ADMINS).require_region(region_code)


def require_admin_in(p: Principal, region_code: str) -> None:
    p.require(*ADMINS).require_region(region_code)


def require_partner_reader(p: Principal, partner: str) -> None:
    """Agreements and statements: the county, and the partner's own staff."""
    p.require("county_admin", "utility_staff")
    if p.has_role("county_admin"):
        return
    p.require_partner(partner)
