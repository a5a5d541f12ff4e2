"""The demo county: collectives, a consortium project with proxy holdings and an enclave
investment, posted distributions; everything reconciles and a second seed adds nothing."""

from __future__ import annotations

from decimal import Decimal

from shares.seed import ENCLAVE, HOST, collective_id, members_of, seed
from xiangzhi_shared.demo import VILLAGES

PROJECTS = """{ projects { id name totalCapital currentVersion
    parties { party { id kind name } proportion subscribed paidIn outstanding shares enclave } } }"""


async def test_seed_is_idempotent_and_everything_reconciles(shares):
    counts = "SELECT (SELECT count(*) FROM ledger_operation), (SELECT count(*) FROM account_entry)"
    before = await shares.pool.fetchrow(counts)
    assert await seed(shares.pool) == "shares demo data already present"
    assert await shares.pool.fetchrow(counts) == before
    assert await shares.reconciles()
    n = await shares.pool.fetchval("SELECT count(*) FROM share_register WHERE kind='COLLECTIVE'")
    assert n == len(VILLAGES)


async def test_demo_project_has_proxies_enclave_and_exact_subscriptions(shares, tokens):
    data = await shares.gql.ok(PROJECTS, token=tokens("county_admin", region="QY"))
    [project] = data["projects"]
    parties = {p["party"]["id"]: p for p in project["parties"]}
    assert sum(Decimal(p["subscribed"]) for p in parties.values()) == Decimal(project["totalCapital"])
    assert parties[collective_id(ENCLAVE)]["enclave"] is True
    assert parties[collective_id(HOST)]["enclave"] is False
    not_joined = members_of(HOST)[-1][0]
    assert parties[not_joined]["paidIn"] == "15000.00"  # paid by the collective on their behalf
    assert all(p["outstanding"] == "0.00" for p in parties.values())


async def test_demo_posted_distribution_credits_add_up(shares):
    row = await shares.pool.fetchrow(
        """SELECT r.declared_fen, (SELECT sum(amount_fen) FROM distribution_line l
                                   WHERE l.run_id = r.id) AS lines
           FROM distribution_run r WHERE idempotency_key = 'demo-2025'""")
    assert row["declared_fen"] == row["lines"] == 8_000_000
