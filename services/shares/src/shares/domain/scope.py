"""Who may see and change which register. Pure: callers pass the register's kind and region.

A register carries the region code of its village (collective, village company, a project's
host village) or township (base co-op). Cadres work their own village's registers, township
and county admins their subtree; consortium projects and base co-ops are the county's.
"""

from __future__ import annotations

from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden

from .registers import RegisterKind

VILLAGE_STAFF = ("village_cadre", "township_admin", "county_admin")
READERS = {
    RegisterKind.COLLECTIVE: VILLAGE_STAFF,
    RegisterKind.VILLAGE_COMPANY: VILLAGE_STAFF,
    RegisterKind.CONSORTIUM: ("township_admin", "county_admin"),
    RegisterKind.BASE_COOP: ("township_admin", "county_admin", "coop_staff"),
}
WRITERS = {
    RegisterKind.COLLECTIVE: VILLAGE_STAFF,
    RegisterKind.VILLAGE_COMPANY: VILLAGE_STAFF,
    RegisterKind.CONSORTIUM: ("county_admin",),
    RegisterKind.BASE_COOP: ("county_admin",),
}
PROJECT_ADMINS = ("county_admin",)


def require_read(p: Principal, kind: RegisterKind, region_code: str) -> None:
    p.require(*READERS[kind]).require_region(region_code)


def require_write(p: Principal, kind: RegisterKind, region_code: str) -> None:
    p.require(*WRITERS[kind]).require_region(region_code)


def require_project_admin(p: Principal, region_code: str) -> None:
    p.require(*PROJECT_ADMINS).require_region(region_code)


def resident_self(p: Principal, party_id: str) -> bool:
    """A resident reads their own holdings and dividends: the token's subject is their id."""
    return p.has_role("resident") and p.subject == party_id


def require_self_or_staff(p: Principal, party_id: str, region_code: str | None) -> None:
    p.require()
    if resident_self(p, party_id):
        return
    if p.has_role(*VILLAGE_STAFF) and region_code and p.sees_region(region_code):
        return
    raise Forbidden("these holdings are outside your scope")
