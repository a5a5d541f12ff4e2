"""A team's capacity for a day is never double-booked, however many book at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from xiangzhi_shared.testing import error_codes


def _day(days: int = 3) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def test_concurrent_bookings_never_exceed_capacity(coop):
    team = await coop.new_team("QY.01", "100")
    day = _day()

    async def book(i):
        return await coop.gql(coop.BOOK, {"i": {"teamId": team, "date": day, "areaMu": "7.5"}},
                              coop.farmer(["QY.01.001", "QY.01.002", "QY.01.003"][i % 3], i % 4))

    bodies = await asyncio.gather(*(book(i) for i in range(30)))
    won = [b for b in bodies if not b.get("errors")]
    assert len(won) == 13  # 13 × 7.5 = 97.5 ≤ 100 < 14 × 7.5
    assert all(error_codes(b) == ["INVALID_STATE"] for b in bodies if b.get("errors"))
    booked = await coop.pool.fetchval(
        "SELECT sum(area_mu) FROM service_booking WHERE team_id=$1::uuid AND status='BOOKED'",
        team)
    assert booked == Decimal("97.50")
    assert await coop.pool.fetchval(
        "SELECT booked_mu FROM team_day WHERE team_id=$1::uuid", team) == Decimal("97.50")
    data = await coop.gql.ok(
        """query($c: ID!, $d: Date!) { supplyCoop(id: $c) { serviceTeams { id availableMu(date: $d) } } }""",
        {"c": coop.coop_id("QY.01"), "d": day}, coop.farmer("QY.01.001"))
    left = {t["id"]: t["availableMu"] for t in data["supplyCoop"]["serviceTeams"]}
    assert left[team] == "2.50"


async def test_cancelling_frees_capacity_and_completion_is_recorded(coop):
    team = await coop.new_team("QY.02", "20", kind="HARVEST")
    today = _day(0)
    token = coop.farmer("QY.02.001", 2)
    first = (await coop.gql.ok(coop.BOOK, {"i": {"teamId": team, "date": today, "areaMu": "20"}},
                               token))["bookService"]
    assert first["amount"] == "1600.00"
    full = await coop.gql(coop.BOOK, {"i": {"teamId": team, "date": today, "areaMu": "1"}}, token)
    assert error_codes(full) == ["INVALID_STATE"]
    await coop.gql.ok("mutation($id: ID!) { cancelBooking(id: $id) { status } }",
                      {"id": first["id"]}, token)
    second = (await coop.gql.ok(coop.BOOK, {"i": {"teamId": team, "date": today,
                                                  "areaMu": "12"}}, token))["bookService"]
    done = await coop.gql.ok(
        """mutation($id: ID!) { completeBooking(id: $id, note: "收割完成，含水率14%") {
             status completedAt completionNote } }""", {"id": second["id"]}, coop.staff("QY.02"))
    assert done["completeBooking"]["status"] == "COMPLETED"
    assert done["completeBooking"]["completionNote"] == "收割完成，含水率14%"


async def test_a_cadre_books_for_a_farmer_of_their_village(coop):
    team = await coop.new_team("QY.01", "50")
    farmer = coop.farmer_id("QY.01.003", 1)
    data = await coop.gql.ok(
        """mutation($i: BookServiceInput!) { bookService(input: $i) { farmerId villageCode } }""",
        {"i": {"teamId": team, "date": _day(5), "areaMu": "8", "farmerId": farmer}},
        coop.cadre("QY.01.003"))
    assert data["bookService"] == {"farmerId": farmer, "villageCode": "QY.01.003"}
