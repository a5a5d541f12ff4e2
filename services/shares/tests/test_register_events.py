"""Ledger entries reach shares.register.v1 through the outbox: one record per entry, keyed
by the register, with its lines; a refused change emits nothing."""

from __future__ import annotations

from shares.seed import members_of
from xiangzhi.shares.v1.events_pb2 import LedgerEntryRecorded
from xiangzhi_shared.testing import TopicTail, error_codes

TRANSFER = "mutation($i: TransferSharesInput!) { transferShares(input: $i) { id sequence } }"


async def test_transfer_emits_its_ledger_entry_and_a_refused_one_nothing(shares, tokens):
    village = "QY.02.002"
    reg = await shares.pool.fetchval(
        "SELECT id::text FROM share_register WHERE kind='COLLECTIVE' AND region_code=$1", village)
    a, b = members_of(village)[2][0], members_of(village)[3][0]
    cadre = tokens("village_cadre", region=village)
    base = {"registerId": reg, "fromHolderId": a, "toHolderId": b, "shareClass": "MEMBER",
            "approvalRef": "成员代表会议决议2026-01号", "approvedBy": "村委会"}
    async with TopicTail("shares.register.v1") as tail:
        assert error_codes(await shares.gql(TRANSFER, {"i": {**base, "shares": 101}}, cadre)) == \
            ["INVALID_STATE"]
        entry = (await shares.gql.ok(TRANSFER, {"i": {**base, "shares": 30}}, cadre))["transferShares"]
        events = await tail.collect(lambda e: e.key == reg, 1, settle_s=1.0)
    [event] = events
    assert event.type == "xiangzhi.shares.register.transferred"
    msg = event.message
    assert isinstance(msg, LedgerEntryRecorded)
    assert msg.entry_id == entry["id"] and msg.sequence == entry["sequence"]
    assert msg.approval_ref == "成员代表会议决议2026-01号" and msg.region_code == village
    assert [(line.holder_party_id, line.shares_delta) for line in msg.lines] == [(a, -30), (b, 30)]
