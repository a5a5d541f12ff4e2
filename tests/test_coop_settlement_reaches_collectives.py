"""Across services, through Kafka only: the coop service settles a base co-op's period, its
outbox relay publishes SettlementPublished on coop.settlement.v1, and the shares service's
consumer distributes the profit over that co-op's register, crediting each village
collective exactly (to the fen), once."""

from __future__ import annotations

import secrets
from decimal import Decimal

from coop.app import make_spec as coop_spec
from coop.seed import seed as seed_coop
from coop.settings import CoopSettings
from shares.app import make_spec as shares_spec
from shares.seed import seed as seed_shares
from shares.settings import SharesSettings
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, eventually, fresh_database, served

SETTLEMENTS = "{ coopSettlements { id townshipCode period distributableProfit } }"


async def test_coop_profit_reaches_village_collectives_through_kafka(tokens):
    async with fresh_database("e2e_shares") as shares_dsn, \
            fresh_database("e2e_coop") as coop_dsn:
        # The shares side first: a consumer group of its own on the real settlement topic.
        shares_app = create_app(shares_spec(SharesSettings(
            database_url=shares_dsn, jwks_file=tokens.jwks_file,
            service_name=f"shares-e2e-{secrets.token_hex(3)}")))
        coop_app = create_app(coop_spec(CoopSettings(database_url=coop_dsn,
                                                     jwks_file=tokens.jwks_file)))
        async with served(shares_app), served(coop_app) as coop_url:
            shares_pool = shares_app.state.runtime.pool
            await seed_shares(shares_pool)
            # The co-op's demo seed settles last month for 东湖镇's base co-op: through its
            # outbox, that is the event under test.
            await seed_coop(coop_app.state.runtime.pool)
            gql = GraphQLClient(coop_url)
            try:
                data = await gql.ok(SETTLEMENTS, token=tokens("county_admin", region="QY"))
            finally:
                await gql.close()
            [settlement] = [s for s in data["coopSettlements"] if s["townshipCode"] == "QY.01"]
            profit_fen = int(Decimal(settlement["distributableProfit"]) * 100)
            assert profit_fen > 0

            run_id = await eventually(
                shares_pool, "SELECT id FROM distribution_run WHERE source_ref=$1 AND "
                "status='POSTED'", settlement["id"], timeout_s=60)
            credited = await shares_pool.fetch(
                """SELECT beneficial_party_id, sum(amount_fen) AS fen FROM distribution_line
                   WHERE run_id=$1 GROUP BY beneficial_party_id""", run_id)
            assert sum(r["fen"] for r in credited) == profit_fen
            assert len(credited) == 3  # the three village collectives of 东湖镇
            assert await shares_pool.fetchval(
                "SELECT count(*) FROM distribution_run WHERE source_ref=$1", settlement["id"]) == 1
