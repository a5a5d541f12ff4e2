"""Socialised-service bookings 社会化服务预约: a farmer (or the village committee for them)
books a team's service for a date and a field size in mu.

A team's capacity for a day is never double-booked: the booking adds its area to the
(team, day) row with one upsert whose update only happens while the sum stays within
capacity; the row lock it takes makes racing bookings for the same day go one at a time,
and a CHECK (booked_mu <= capacity_mu) is the backstop.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from xiangzhi_shared.auth import Principal
from xiangzhi_shared.errors import Forbidden, InvalidState, NotFound
from xiangzhi_shared.ids import parse_id

from . import events, idempotency
from .clock import Clock, utc_now
from .domain import money, scope
from .domain import trade as rules
from .domain.trade import BookingStatus
from .organisation import member_village, party_for

BOOKING_SELECT = """SELECT b.*, c.region_code AS township_code, t.kind, t.name AS team_name
                    FROM service_booking b JOIN coop c ON c.id = b.coop_id
                    JOIN service_team t ON t.id = b.team_id"""


async def fetch_booking(conn: asyncpg.Connection, booking_id: uuid.UUID,
                        lock: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow(
        f"{BOOKING_SELECT} WHERE b.id=$1{' FOR UPDATE OF b' if lock else ''}", booking_id)
    if row is None:
        raise NotFound(f"booking {booking_id} not found")
    return dict(row)


async def fetch_team(conn: asyncpg.Connection, team_id: str | uuid.UUID) -> dict[str, Any]:
    tid = team_id if isinstance(team_id, uuid.UUID) else parse_id(team_id, "teamId")
    row = await conn.fetchrow(
        """SELECT t.*, c.region_code AS township_code FROM service_team t
           JOIN coop c ON c.id = t.coop_id WHERE t.id=$1""", tid)
    if row is None:
        raise NotFound(f"service team {team_id} not found", field="teamId")
    return dict(row)


def can_read(p: Principal, b: dict[str, Any]) -> bool:
    if p.has_role("coop_staff", "township_admin", "county_admin") and \
            p.sees_region(b["township_code"]):
        return True
    if p.has_role("village_cadre") and p.sees_region(b["village_code"]):
        return True
    return p.has_role("resident") and str(b["farmer_id"]) == p.subject


def require_read(p: Principal, b: dict[str, Any]) -> None:
    p.require()
    if not can_read(p, b):
        raise Forbidden("this booking is outside your scope")


async def book(pool: asyncpg.Pool, p: Principal, *, team_id: str, service_date: date,
               area_mu: Decimal, farmer_id: str | None = None, village_code: str | None = None,
               idempotency_key: str | None = None, clock: Clock = utc_now) -> dict[str, Any]:
    party = party_for(p, farmer_id=farmer_id, village_code=village_code)
    key = idempotency.validate_key(idempotency_key)
    now = clock()
    area = rules.validate_booking(service_date, area_mu, now.date())
    async with pool.acquire() as conn, conn.transaction():
        team = await fetch_team(conn, team_id)
        if party.acting_as_staff:
            scope.require_coop_staff(p, team["township_code"])
        village = await member_village(conn, party.village_code)
        request = {"team": str(team["id"]), "date": service_date.isoformat(),
                   "area": str(area), "farmer": str(party.id), "village": village["code"]}
        replay = await idempotency.claim(conn, key, p.subject, "bookService", request)
        if replay is not None:
            return await fetch_booking(conn, replay)
        if area > team["capacity_mu"]:
            raise InvalidState(f"{area} mu is more than the team's daily capacity of "
                               f"{team['capacity_mu']} mu", field="areaMu")
        booked = await conn.fetchval(
            """INSERT INTO team_day (team_id, day, capacity_mu, booked_mu) VALUES ($1, $2, $3, $4)
               ON CONFLICT (team_id, day) DO UPDATE
                   SET booked_mu = team_day.booked_mu + EXCLUDED.booked_mu
                   WHERE team_day.booked_mu + EXCLUDED.booked_mu <= team_day.capacity_mu
               RETURNING booked_mu""", team["id"], service_date, team["capacity_mu"], area)
        if booked is None:
            left = await conn.fetchval(
                "SELECT capacity_mu - booked_mu FROM team_day WHERE team_id=$1 AND day=$2",
                team["id"], service_date)
            raise InvalidState(f"{team['name']} has only {left} mu left on {service_date}",
                               field="areaMu", available=str(left))
        booking_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO service_booking (id, team_id, coop_id, farmer_id, village_code,
                   service_date, area_mu, price_per_mu, cost_per_mu, amount, status, booked_by,
                   booked_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)""",
            booking_id, team["id"], team["coop_id"], party.id, village["code"], service_date,
            area, team["price_per_mu"], team["cost_per_mu"],
            money.line_amount(area, team["price_per_mu"]), BookingStatus.BOOKED.value,
            p.subject, now)
        b = await fetch_booking(conn, booking_id)
        await events.booking_changed(conn, b, "booked", p.subject, now)
        await idempotency.remember(conn, key, p.subject, booking_id)
        return b


async def complete(pool: asyncpg.Pool, p: Principal, booking_id: str, note: str | None,
                   clock: Clock = utc_now) -> dict[str, Any]:
    """The completion record 作业记录, by the co-op that did the work."""
    p.require(*scope.COOP_STAFF)
    bid = parse_id(booking_id)
    now = clock()
    note = (note or "").strip()[:500] or None
    async with pool.acquire() as conn, conn.transaction():
        b = await fetch_booking(conn, bid, lock=True)
        scope.require_coop_staff(p, b["township_code"])
        status = rules.complete_booking(BookingStatus(b["status"]), b["service_date"], now.date())
        await conn.execute(
            """UPDATE service_booking SET status=$2, completed_at=$3, completion_note=$4
               WHERE id=$1""", bid, status.value, now, note)
        b.update(status=status.value, completed_at=now, completion_note=note)
        await events.booking_changed(conn, b, "completed", p.subject, now)
        return b


async def cancel(pool: asyncpg.Pool, p: Principal, booking_id: str,
                 clock: Clock = utc_now) -> dict[str, Any]:
    """Cancels a booking and frees its capacity for that day."""
    p.require()
    bid = parse_id(booking_id)
    now = clock()
    async with pool.acquire() as conn, conn.transaction():
        b = await fetch_booking(conn, bid, lock=True)
        if not ((p.has_role(*scope.COOP_STAFF) and p.sees_region(b["township_code"]))
                or (p.has_role("village_cadre") and p.sees_region(b["village_code"]))
                or (p.has_role("resident") and str(b["farmer_id"]) == p.subject)):
            raise Forbidden("this booking is outside your scope")
        status = rules.cancel_booking(BookingStatus(b["status"]))
        await conn.execute(
            "UPDATE team_day SET booked_mu = booked_mu - $3 WHERE team_id=$1 AND day=$2",
            b["team_id"], b["service_date"], b["area_mu"])
        await conn.execute("UPDATE service_booking SET status=$2, cancelled_at=$3 WHERE id=$1",
                           bid, status.value, now)
        b.update(status=status.value, cancelled_at=now)
        await events.booking_changed(conn, b, "cancelled", p.subject, now)
        return b
