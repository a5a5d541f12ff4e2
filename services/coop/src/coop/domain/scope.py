"""Who may see and change what in the co-op. Pure: callers pass what they know.

- a farmer is a `resident` whose subject is their resident id; their region claim is their
  grid or village, so their village is the first three levels of it;
- a `village_cadre` acts for their own village (the 村两委) and its collective;
- `coop_staff` carry their base co-op's township code as region and act for it only;
- `township_admin` arranges targets and loans in their township; `county_admin` sees all.
"""

from __future__ import annotations

from xiangzhi_shared.auth import Principal, region_depth
from xiangzhi_shared.errors import Forbidden

COOP_STAFF = ("coop_staff", "county_admin")
READERS = ("coop_staff", "township_admin", "county_admin", "village_cadre")
TARGET_SETTERS = ("township_admin", "county_admin")


def village_of(region_code: str | None) -> str | None:
    """The village code of a region at village level or below, else None."""
    if not region_code or region_depth(region_code) < 2:
        return None
    return ".".join(region_code.split(".")[:3])


def township_of(region_code: str) -> str:
    return ".".join(region_code.split(".")[:2])


def is_farmer_only(p: Principal) -> bool:
    """A caller who is only a resident acts for themself alone."""
    return p.has_role("resident") and not p.has_role(*READERS)


def farmer_village(p: Principal) -> str:
    village = village_of(p.region)
    if village is None:
        raise Forbidden("your token does not name your village")
    return village


def cadre_village(p: Principal) -> str:
    p.require("village_cadre")
    if p.region is None or region_depth(p.region) != 2:
        raise Forbidden("a village cadre's scope must be a village")
    return p.region


def require_coop_staff(p: Principal, township_code: str) -> None:
    """Staff of this base co-op (their region is its township) or the county."""
    p.require(*COOP_STAFF).require_region(township_code)


def require_reader(p: Principal, region_code: str) -> None:
    """Staff whose scope covers the record's village or township."""
    p.require(*READERS).require_region(region_code)


def require_county(p: Principal) -> None:
    p.require("county_admin")
    if p.region is None or region_depth(p.region) != 0:
        raise Forbidden("this needs the county's scope")


def read_root(p: Principal, region_code: str | None) -> str:
    """The subtree a staff list reads: the caller's scope unless a narrower one is asked for."""
    return p.require(*READERS).scope_root(region_code)
