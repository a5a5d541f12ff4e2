"""Who may see and change what in the grid service. Pure: callers pass what they know."""

from __future__ import annotations

from xiangzhi_shared.auth import Principal, region_contains
from xiangzhi_shared.errors import Forbidden

# Staff who work matters in their region's subtree.
MATTER_WORKERS = ("grid_worker", "village_cadre", "township_admin", "county_admin")
# Staff who may read people and matters in their subtree.
STAFF = (*MATTER_WORKERS, "party_member")
# Units' lists are managed by village cadres and township/county admins.
LIST_MANAGERS = ("village_cadre", "township_admin", "county_admin")


def can_read_matter(p: Principal, region_code: str, reporter_id: str | None) -> bool:
    if p.has_role(*STAFF) and p.sees_region(region_code):
        return True
    return p.has_role("resident") and reporter_id is not None and reporter_id == p.subject


def require_read_matter(p: Principal, region_code: str, reporter_id: str | None) -> None:
    p.require()
    if not can_read_matter(p, region_code, reporter_id):
        raise Forbidden("this matter is outside your scope")


def require_work_matter(p: Principal, region_code: str) -> None:
    p.require(*MATTER_WORKERS).require_region(region_code)


def require_staff_in(p: Principal, region_code: str) -> None:
    p.require(*STAFF).require_region(region_code)


def require_village_member_or_staff(p: Principal, village_code: str) -> None:
    """Things posted publicly in a village (the duty roster): anyone living or working there,
    and staff whose scope covers it."""
    p.require()
    if not (p.sees_region(village_code) or (p.region and region_contains(village_code, p.region))):
        raise Forbidden(f"region {village_code} is outside your scope")


def resident_scope(p: Principal) -> str | None:
    """A caller who is only a resident sees only their own records: returns their id."""
    if p.has_role("resident") and not p.has_role(*STAFF):
        return p.subject
    return None
