"""A matter walked through the five steps over GraphQL emits exactly its events on
grid.matter.v1, in order, each a decodable envelope carrying its request's trace."""

from __future__ import annotations

import secrets
import uuid

from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.testing import TopicTail, trace_id_of

REPORT = """mutation($input: ReportMatterInput!) { reportMatter(input: $input) { id status } }"""
STEPS = [
    ("accepted", "mutation($id: ID!) { acceptMatter(id: $id) { status dueAt } }", {}),
    ("assigned", "mutation($id: ID!, $a: String!) { assignMatter(id: $id, assigneeId: $a) "
                 "{ status } }", {"a": "worker-7"}),
    ("handled", "mutation($id: ID!, $r: String!) { recordHandling(id: $id, record: $r) "
                "{ status } }", {"r": "换了灯泡"}),
    ("closed", "mutation($id: ID!) { closeMatter(id: $id, summary: \"ok\") { status } }", {}),
    ("followed_up", "mutation($id: ID!) { followUpMatter(id: $id, satisfaction: 5, "
                    "remark: \"满意\") { status satisfaction } }", {}),
]


def traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


async def test_five_steps_emit_their_events_in_order_with_headers_and_trace(grid, tokens):
    token = tokens("grid_worker", region="QY.01.001")
    sent_traces = []
    async with TopicTail("grid.matter.v1") as tail:
        trace_id, tp = traceparent()
        sent_traces.append(trace_id)
        data = await grid.gql.ok(REPORT, {"input": {
            "title": "路灯不亮", "category": "UTILITY_POWER",
            "regionId": grid.region_id("QY.01.001.02")}}, token, {"traceparent": tp})
        matter_id = data["reportMatter"]["id"]
        for _, doc, extra in STEPS:
            trace_id, tp = traceparent()
            sent_traces.append(trace_id)
            await grid.gql.ok(doc, {"id": matter_id, **extra}, token, {"traceparent": tp})
        events = await tail.collect(lambda e: e.key == matter_id, count=6, settle_s=1.5)

    assert [e.type for e in events] == [f"xiangzhi.grid.matter.{c}" for c in
                                        ["reported", "accepted", "assigned", "handled", "closed",
                                         "followed_up"]]
    assert [e.message.status for e in events] == ["REPORTED", "ACCEPTED", "ASSIGNED", "HANDLED",
                                                  "CLOSED", "FOLLOWED_UP"]
    assert len({e.id for e in events}) == 6
    for event, trace_id in zip(events, sent_traces, strict=True):
        assert isinstance(event.message, MatterEvent)
        assert event.message.matter_id == matter_id
        assert event.source == "/xiangzhi/grid"
        # the record's traceparent continues the trace of the request that caused it
        assert trace_id_of(event.traceparent) == trace_id
    assert events[3].message.note == "换了灯泡"
    assert events[5].message.satisfaction == 5


async def test_rejected_transition_emits_nothing(grid, tokens):
    token = tokens("grid_worker", region="QY.01.001")
    async with TopicTail("grid.matter.v1") as tail:
        data = await grid.gql.ok(REPORT, {"input": {
            "title": "井盖缺失", "category": "ROAD", "regionId": grid.region_id("QY.01.001.01")}},
            token)
        matter_id = data["reportMatter"]["id"]
        body = await grid.gql(STEPS[3][1], {"id": matter_id}, token)  # close a REPORTED matter
        assert body["errors"][0]["extensions"]["code"] == "INVALID_STATE"
        await grid.gql.ok(STEPS[0][1], {"id": matter_id}, token)
        events = await tail.collect(lambda e: e.key == matter_id, count=2, settle_s=1.0)
    assert [e.type for e in events] == ["xiangzhi.grid.matter.reported",
                                        "xiangzhi.grid.matter.accepted"]
    steps = await grid.pool.fetchval("SELECT count(*) FROM matter_step WHERE matter_id=$1",
                                     uuid.UUID(matter_id))
    assert steps == 2  # reported + accepted; the refused close wrote nothing
