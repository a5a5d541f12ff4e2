"""Stable ids of the fictional demo county, shared by every service's seed.

Services never import each other, yet their demo data must point at the same villages,
residents and co-ops: each id is a UUIDv5 of a readable key, so every seed derives the same
id independently (`demo_id("region", "QY.01.002")` is that village's id in grid and the key
of its collective in shares).
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1d2b1e-3c55-4f7a-9a55-2f0c8a6b9e10")

COUNTY = ("QY", "青源县")
TOWNSHIPS = {"QY.01": "东湖镇", "QY.02": "西岭乡"}
VILLAGES = {
    "QY.01.001": "桃园村", "QY.01.002": "柳溪村", "QY.01.003": "石桥社区",
    "QY.02.001": "云岭村", "QY.02.002": "松坡村", "QY.02.003": "杏花村",
}
GRIDS = {"01": ("一组网格", "RESIDENT_GROUP"), "02": ("街巷网格", "STREET")}
RESIDENTS_PER_GRID = 4


def demo_id(kind: str, key: str) -> uuid.UUID:
    """kinds used so far: region (key = region code), resident (key = "<grid code>/<n>"),
    person, household, duty, basecoop (key = township code)."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


def region_id(code: str) -> uuid.UUID:
    return demo_id("region", code)


def resident_id(grid_code: str, n: int) -> uuid.UUID:
    return demo_id("resident", f"{grid_code}/{n}")
