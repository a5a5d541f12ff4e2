"""Co-op settlement -> collective income -> member distribution, through Kafka only: a
SettlementPublished record is produced on the settlement topic; the service credits each
village collective of that base co-op exactly, once, however often the record arrives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from google.protobuf.timestamp_pb2 import Timestamp
from shares.seed import collective_id, members_of
from xiangzhi.coop.v1.settlement_pb2 import SettlementPublished
from xiangzhi_shared.demo import demo_id
from xiangzhi_shared.envelope import headers_for
from xiangzhi_shared.testing import KAFKA, TopicTail, eventually

VILLAGES = ["QY.01.001", "QY.01.002", "QY.01.003"]  # 100,000 / 150,000 / 200,000 shares
CREATE = """mutation($i: CreateRunInput!) { createDistributionRun(input: $i) { id lineCount } }"""


def settlement(settlement_id: str, profit: str, coop: str | None = None) -> SettlementPublished:
    at = Timestamp()
    at.FromDatetime(datetime.now(UTC))
    return SettlementPublished(
        settlement_id=settlement_id, base_coop_id=coop or str(demo_id("basecoop", "QY.01")),
        township_code="QY.01", period="2026-Q1", revenue="90000.00", cost="80000.00",
        distributable_profit=profit, currency="CNY", settled_at=at)


async def produce(topic: str, msg: SettlementPublished, event_id: str | None = None) -> str:
    event_id = event_id or str(uuid.uuid4())
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value=msg.SerializeToString(), key=msg.base_coop_id.encode(),
            headers=headers_for(event_id, "xiangzhi.coop.settlement.published", "/xiangzhi/coop",
                                datetime.now(UTC), msg.DESCRIPTOR.full_name, None))
    finally:
        await producer.stop()
    return event_id


async def _incomes(pool):
    rows = await pool.fetch("SELECT party_id::text, held_by_party_id::text, balance_fen "
                            "FROM account_balance")
    return {(r[0], r[1]): r[2] for r in rows}


async def test_settlement_credits_collectives_once_and_flows_on_to_members(shares, tokens):
    topic = shares.settings.settlement_topic
    before = await _incomes(shares.pool)
    sid = f"st-{uuid.uuid4().hex[:8]}"
    msg = settlement(sid, "1000.01")
    event_id = await produce(topic, msg)
    run_id = await eventually(shares.pool, "SELECT id FROM distribution_run WHERE source_ref=$1 "
                            "AND status='POSTED'", sid)
    after = await _incomes(shares.pool)
    gained = {v: after.get((collective_id(v),) * 2, 0) - before.get((collective_id(v),) * 2, 0)
              for v in VILLAGES}
    assert sum(gained.values()) == 100_001
    weights = {"QY.01.001": 100_000, "QY.01.002": 150_000, "QY.01.003": 200_000}
    for v, amount in gained.items():
        assert abs(amount - 100_001 * weights[v] / 450_000) < 1

    # redelivery: the same record again, and the same settlement under a new event id
    await produce(topic, msg, event_id)
    await produce(topic, msg)
    marker = f"st-{uuid.uuid4().hex[:8]}"
    await produce(topic, settlement(marker, "0.03"))  # in order after the duplicates
    await eventually(shares.pool, "SELECT id FROM distribution_run WHERE source_ref=$1", marker)
    runs = await shares.pool.fetchval("SELECT count(*) FROM distribution_run WHERE source_ref=$1",
                                      sid)
    assert runs == 1
    credits = await shares.pool.fetchval(
        "SELECT sum(amount_fen) FROM account_entry WHERE run_id=$1", run_id)
    assert credits == 100_001
    now = await _incomes(shares.pool)
    assert sum(now.get((collective_id(v),) * 2, 0) - after.get((collective_id(v),) * 2, 0)
               for v in VILLAGES) == 3  # only the marker's 0.03

    # the collective distributes part of its income on to its members
    village = "QY.01.003"
    register_id = await shares.pool.fetchval(
        "SELECT id::text FROM share_register WHERE kind='COLLECTIVE' AND region_code=$1", village)
    cadre = tokens("village_cadre", region=village, subject="cadre-1")
    other = tokens("village_cadre", region=village, subject="cadre-2")
    run = (await shares.gql.ok(CREATE, {"i": {
        "registerId": register_id, "declaredAmount": "300.00", "period": "2026-Q1",
        "idempotencyKey": f"onward-{sid}"}}, cadre))["createDistributionRun"]
    assert run["lineCount"] == 8  # 7 members + the one the collective holds for
    await shares.gql.ok("mutation($id: ID!) { reviewDistributionRun(id: $id) { id } }",
                        {"id": run["id"]}, other)
    await shares.gql.ok("mutation($id: ID!) { postDistributionRun(id: $id) { id } }",
                        {"id": run["id"]}, cadre)
    final = await _incomes(shares.pool)
    coll = collective_id(village)
    assert final[(coll, coll)] == now[(coll, coll)] - 30_000
    member_gain = sum(final.get((m, h), 0) - now.get((m, h), 0)
                      for m, _, _ in members_of(village) for h in (m, coll))
    assert member_gain == 30_000
    assert await shares.reconciles()


async def test_unapplicable_settlements_are_dead_lettered_and_write_nothing(shares):
    runs_before = await shares.pool.fetchval("SELECT count(*) FROM distribution_run")
    async with TopicTail(shares.settings.dead_letter_topic) as dlq:
        await produce(shares.settings.settlement_topic, settlement("bad-1", "10.005"))
        await produce(shares.settings.settlement_topic,
                      settlement("bad-2", "10.00", coop=str(uuid.uuid4())))
        records = await dlq.collect_raw(lambda r: True, 2, timeout_s=30)
    errors = sorted(dict(r.headers)["x-error"].decode() for r in records)
    assert "fraction of a fen" in errors[0] or "fraction of a fen" in errors[1]
    assert any("no register for base co-op" in e for e in errors)
    assert await shares.pool.fetchval("SELECT count(*) FROM distribution_run") == runs_before
