"""Escalation by the scheduler (injected clock), pagination, metrics, lists and services."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from grid.scheduler import EscalationScheduler
from grid.seed import resident_id, seed

REPORT = """mutation($input: ReportMatterInput!) { reportMatter(input: $input) { id } }"""


async def test_scheduler_escalates_overdue_matter_one_level_per_deadline(grid, tokens):
    token = tokens("village_cadre", region="QY.02.002")
    data = await grid.gql.ok(REPORT, {"input": {"title": "桥面裂缝", "category": "SAFETY",
                                                "regionId": grid.region_id("QY.02.002.02")}},
                             token)
    mid = data["reportMatter"]["id"]
    await grid.gql.ok("mutation($id: ID!) { acceptMatter(id: $id) { id } }", {"id": mid}, token)
    due = await grid.pool.fetchval("SELECT due_at FROM matter WHERE id=$1", uuid.UUID(mid))

    clock_at = [due - timedelta(minutes=1)]
    scheduler = EscalationScheduler(grid.pool, 3600, clock=lambda: clock_at[0])
    await scheduler.run_once()
    row = await grid.pool.fetchrow("SELECT responsible_code, escalation_level FROM matter "
                                   "WHERE id=$1", uuid.UUID(mid))
    assert (row["responsible_code"], row["escalation_level"]) == ("QY.02.002", 0)

    clock_at[0] = due + timedelta(minutes=1)
    await scheduler.run_once()
    await scheduler.run_once()  # same instant: the fresh deadline is not yet passed
    row = await grid.pool.fetchrow("SELECT responsible_code, escalation_level, due_at FROM matter "
                                   "WHERE id=$1", uuid.UUID(mid))
    assert (row["responsible_code"], row["escalation_level"]) == ("QY.02", 1)

    clock_at[0] = row["due_at"] + timedelta(minutes=1)
    await scheduler.run_once()
    row = await grid.pool.fetchrow("SELECT responsible_code, escalation_level FROM matter "
                                   "WHERE id=$1", uuid.UUID(mid))
    assert (row["responsible_code"], row["escalation_level"]) == ("QY", 2)
    steps = await grid.pool.fetch("SELECT change FROM matter_step WHERE matter_id=$1 ORDER BY id",
                                  uuid.UUID(mid))
    assert [s["change"] for s in steps] == ["reported", "accepted", "escalated", "escalated"]


async def test_seed_is_idempotent(grid):
    before = await grid.pool.fetchrow(
        "SELECT (SELECT count(*) FROM region) r, (SELECT count(*) FROM resident) p, "
        "(SELECT count(*) FROM matter WHERE reported_by='seed') m, (SELECT count(*) FROM outbox) o")
    await seed(grid.pool)
    after = await grid.pool.fetchrow(
        "SELECT (SELECT count(*) FROM region) r, (SELECT count(*) FROM resident) p, "
        "(SELECT count(*) FROM matter WHERE reported_by='seed') m, (SELECT count(*) FROM outbox) o")
    assert before == after
    assert before["r"] == 1 + 2 + 6 + 12


async def test_demo_has_matters_in_every_state(grid):
    statuses = {r["status"] for r in await grid.pool.fetch("SELECT DISTINCT status FROM matter")}
    assert statuses >= {"REPORTED", "ACCEPTED", "ASSIGNED", "HANDLED", "CLOSED", "FOLLOWED_UP"}


async def test_cursor_pagination_walks_every_matter_once(grid, tokens):
    token = tokens("county_admin", region="QY")
    q = """query($after: String) { matters(first: 3, after: $after) {
             totalCount nodes { id } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = (await grid.gql.ok(q, {"after": after}, token))["matters"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]


async def test_status_filter_and_region_subtree(grid, tokens):
    token = tokens("county_admin", region="QY")
    q = """query { matters(filter: {regionCode: "QY.01", statuses: [CLOSED, FOLLOWED_UP]}) {
             nodes { status regionCode } } }"""
    nodes = (await grid.gql.ok(q, token=token))["matters"]["nodes"]
    assert nodes and all(n["status"] in ("CLOSED", "FOLLOWED_UP") for n in nodes)
    assert all(n["regionCode"].startswith("QY.01.") for n in nodes)


async def test_region_metrics_count_on_time_closures_and_satisfaction(grid, tokens):
    token = tokens("county_admin", region="QY")
    m = (await grid.gql.ok("""{ regionMetrics(code: "QY.02.001") { total closed closedOnTime
            onTimeClosureRate followedUp averageSatisfaction } }""", token=token))["regionMetrics"]
    db = await grid.pool.fetchrow(
        """SELECT count(*) FILTER (WHERE closed_at IS NOT NULL) closed,
                  count(*) FILTER (WHERE closed_at <= due_at) on_time,
                  avg(satisfaction) FILTER (WHERE status='FOLLOWED_UP') sat
           FROM matter WHERE region_code LIKE 'QY.02.001.%'""")
    assert m["closed"] == db["closed"] and m["closedOnTime"] == db["on_time"]
    assert m["closed"] >= 1 and m["onTimeClosureRate"] == db["on_time"] / db["closed"]
    assert m["averageSatisfaction"] == float(db["sat"])


async def test_region_tree_and_people(grid, tokens):
    token = tokens("township_admin", region="QY.01")
    q = """{ regions(level: VILLAGE) { code name children { code level } }
             people(kind: PARTY_MEMBER) { name responsibilityArea demonstrationPost } }"""
    data = await grid.gql.ok(q, token=token)
    assert [r["code"] for r in data["regions"]] == ["QY.01.001", "QY.01.002", "QY.01.003"]
    assert all(len(r["children"]) == 2 for r in data["regions"])
    assert len(data["people"]) == 3 and all(p["demonstrationPost"] for p in data["people"])


async def test_duty_roster_is_posted_for_the_village(grid, tokens):
    token = tokens("resident", region="QY.01.001.01", subject=str(resident_id("QY.01.001.01", 0)))
    q = """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Village { name dutyRoster(days: 3) { date cadreName } } } }"""
    data = await grid.gql.ok(q, {"r": [{"__typename": "Village",
                                        "id": grid.region_id("QY.01.001")}]}, token)
    roster = data["_entities"][0]["dutyRoster"]
    assert len(roster) == 3 and roster[0]["date"] == datetime.now(UTC).date().isoformat()


async def test_demand_list_item_is_claimed_and_tracked_to_done(grid, tokens):
    token = tokens("township_admin", region="QY.01")
    item = (await grid.gql.ok("""mutation($r: ID!) { publishListItem(input: {list: DEMAND,
            title: "农技培训", regionId: $r}) { id status } }""",
                              {"r": grid.region_id("QY.01.002")}, token))["publishListItem"]
    assert item["status"] == "OPEN"
    m = "mutation($id: ID!) { claimListItem(id: $id, unit: \"镇农技站\") { status claimedByUnit } }"
    assert (await grid.gql.ok(m, {"id": item["id"]}, token))["claimListItem"]["status"] == "CLAIMED"
    again = await grid.gql(m, {"id": item["id"]}, token)
    assert again["errors"][0]["extensions"]["code"] == "INVALID_STATE"
    p = "mutation($id: ID!, $p: Int!) { recordListProgress(id: $id, percent: $p) { status } }"
    assert (await grid.gql.ok(p, {"id": item["id"], "p": 50}, token))[
        "recordListProgress"]["status"] == "IN_PROGRESS"
    back = await grid.gql(p, {"id": item["id"], "p": 20}, token)
    assert back["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert (await grid.gql.ok(p, {"id": item["id"], "p": 100}, token))[
        "recordListProgress"]["status"] == "DONE"


async def test_resident_books_and_cancels_an_appointment(grid, tokens):
    me = str(resident_id("QY.01.002.01", 0))
    token = tokens("resident", region="QY.01.002.01", subject=me)
    when = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    req = (await grid.gql.ok("""mutation($t: DateTime) { requestService(input: {kind: APPOINTMENT,
            subject: "办理医保", scheduledFor: $t}) { id status residentId } }""", {"t": when},
                             token))["requestService"]
    assert req["residentId"] == me and req["status"] == "REQUESTED"
    done = await grid.gql("mutation($id: ID!) { completeService(id: $id) { id } }",
                          {"id": req["id"]}, token)
    assert done["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    cancelled = await grid.gql.ok("mutation($id: ID!) { cancelService(id: $id) { status } }",
                                  {"id": req["id"]}, token)
    assert cancelled["cancelService"]["status"] == "CANCELLED"


async def test_appointment_in_the_past_is_rejected(grid, tokens):
    me = str(resident_id("QY.01.002.01", 0))
    token = tokens("resident", region="QY.01.002.01", subject=me)
    body = await grid.gql("""mutation { requestService(input: {kind: APPOINTMENT, subject: "x",
            scheduledFor: "2020-01-01T00:00:00+00:00"}) { id } }""", token=token)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_special_group_residents_show_last_visit(grid, tokens):
    token = tokens("grid_worker", region="QY.01.001")
    q = """{ residents(specialGroup: "ELDERLY") { totalCount nodes { id specialGroups lastVisitAt } } }"""
    nodes = (await grid.gql.ok(q, token=token))["residents"]["nodes"]
    assert nodes and all("ELDERLY" in n["specialGroups"] for n in nodes)
    visited = str(resident_id("QY.01.001.02", 0))
    assert any(n["id"] == visited and n["lastVisitAt"] for n in nodes)
