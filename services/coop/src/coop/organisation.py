"""The county co-op 县供销社, its township base co-ops 基层供销社 and the villages each serves,
and who a trade is for: a farmer acting for themself, or a cadre or co-op staff acting for a
farmer or for the village collective."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, NotFound, ValidationFailed
from xiangzhi_shared.ids import parse_id

from .domain import scope
from .domain.trade import BuyerKind

COOP_COLUMNS = "c.id, c.kind, c.name, c.region_id, c.region_code, c.parent_id"


async def base_coop(conn: asyncpg.Connection, coop_id: str | uuid.UUID,
                    field: str = "coopId") -> dict[str, Any]:
    cid = coop_id if isinstance(coop_id, uuid.UUID) else parse_id(coop_id, field)
    row = await conn.fetchrow(f"SELECT {COOP_COLUMNS} FROM coop c WHERE c.id=$1", cid)
    if row is None or row["kind"] != "BASE":
        raise NotFound(f"base co-op {coop_id} not found", field=field)
    return dict(row)


async def member_village(conn: asyncpg.Connection, code: str,
                         field: str = "villageCode") -> dict[str, Any]:
    row = await conn.fetchrow(
        """SELECT v.id, v.code, v.name, v.coop_id, c.region_code AS township_code
           FROM member_village v JOIN coop c ON c.id = v.coop_id WHERE v.code=$1""", code)
    if row is None:
        raise NotFound(f"village {code} is not served by any base co-op", field=field)
    return dict(row)


@dataclass(frozen=True)
class Party:
    """Who the trade is for, and the village it counts towards (供销消薄 progress)."""

    kind: BuyerKind
    id: uuid.UUID | None  # None for a collective: it buys under its village's id
    village_code: str
    acting_as_staff: bool  # staff act only inside their co-op's township


def party_for(p: Principal, *, buyer: BuyerKind = BuyerKind.FARMER, farmer_id: str | None,
              village_code: str | None) -> Party:
    """A farmer acts for themself; a cadre for a farmer of their village or its collective;
    co-op staff for a farmer at their counter (naming farmer and village)."""
    p.require("resident", "village_cadre", *scope.COOP_STAFF)
    if buyer is BuyerKind.COLLECTIVE:
        village = scope.cadre_village(p) if p.has_role("village_cadre") else None
        if village is None:
            raise Forbidden("only the village committee buys for its collective")
        return Party(buyer, None, village, False)
    if scope.is_farmer_only(p):
        if farmer_id is not None and farmer_id != p.subject:
            raise Forbidden("a farmer acts only for themself")
        return Party(buyer, parse_id(p.subject, "subject"), scope.farmer_village(p), False)
    if farmer_id is None:
        raise ValidationFailed("farmerId is required when acting for a farmer", field="farmerId")
    fid = parse_id(farmer_id, "farmerId")
    if p.has_role("village_cadre") and not p.has_role(*scope.COOP_STAFF):
        village = scope.cadre_village(p)
        if village_code is not None and village_code != village:
            raise Forbidden("a cadre acts only for farmers of their own village")
        return Party(buyer, fid, village, False)
    if not village_code:
        raise ValidationFailed("villageCode is required when acting for a farmer",
                               field="villageCode")
    return Party(buyer, fid, village_code, True)

