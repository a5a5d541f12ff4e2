"""A coop service on a fresh database, seeded with the demo county, served on loopback, and
tokens for each kind of caller."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest_asyncio
from coop.app import make_spec
from coop.seed import base_coop_id, seed
from coop.settings import CoopSettings
from xiangzhi_shared.demo import demo_id, resident_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, Tokens, fresh_database, served

PLACE = """mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id status total discount } }"""
PAY = """mutation($id: ID!, $k: String!) { payOrder(id: $id, idempotencyKey: $k) { id status
          paidAt total } }"""
BOOK = """mutation($i: BookServiceInput!) { bookService(input: $i) { id status areaMu amount } }"""


@dataclass
class CoopUnderTest:
    url: str
    gql: GraphQLClient
    pool: asyncpg.Pool
    tokens: Tokens
    PLACE = PLACE
    PAY = PAY
    BOOK = BOOK

    @staticmethod
    def coop_id(township: str) -> str:
        return str(base_coop_id(township))

    @staticmethod
    def item_id(sku: str) -> str:
        return str(demo_id("input", sku))

    @staticmethod
    def team_id(township: str, key: str) -> str:
        return str(demo_id("serviceteam", f"{township}/{key}"))

    @staticmethod
    def farmer_id(village: str, n: int = 0) -> str:
        return str(resident_id(f"{village}.01", n))

    def farmer(self, village: str, n: int = 0) -> str:
        return self.tokens("resident", region=f"{village}.01", subject=self.farmer_id(village, n))

    def cadre(self, village: str) -> str:
        return self.tokens("village_cadre", region=village, subject=f"cadre-{village}")

    def staff(self, township: str) -> str:
        return self.tokens("coop_staff", region=township, subject=f"staff-{township}")

    def county(self) -> str:
        return self.tokens("county_admin", region="QY", subject="county-admin")

    async def new_item(self, stock_at: str, quantity: int, price: str = "100.00") -> str:
        """A fresh catalogue item with `quantity` units in one base co-op's stock."""
        sku = f"T-{uuid.uuid4().hex[:8]}"
        data = await self.gql.ok(
            """mutation($i: InputItemInput!) { addInputItem(input: $i) { id } }""",
            {"i": {"sku": sku, "name": "测试化肥", "category": "FERTILISER", "unit": "袋",
                   "unitPrice": price}}, self.county())
        item = data["addInputItem"]["id"]
        await self.gql.ok(
            """mutation($c: ID!, $i: ID!, $q: Int!) { receiveStock(coopId: $c, itemId: $i,
                 quantity: $q, unitCost: "80.00") }""",
            {"c": self.coop_id(stock_at), "i": item, "q": quantity}, self.staff(stock_at))
        return item

    async def new_team(self, township: str, capacity: str, kind: str = "PLOUGH") -> str:
        data = await self.gql.ok(
            """mutation($i: ServiceTeamInput!) { addServiceTeam(input: $i) { id } }""",
            {"i": {"coopId": self.coop_id(township), "kind": kind, "name": "测试机组",
                   "capacityMu": capacity, "pricePerMu": "80.00", "costPerMu": "50.00"}},
            self.staff(township))
        return data["addServiceTeam"]["id"]

    async def stock(self, township: str, item: str) -> int:
        return await self.pool.fetchval(
            "SELECT qty FROM stock WHERE coop_id=$1::uuid AND item_id=$2::uuid",
            self.coop_id(township), item)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def coop(tokens: Tokens) -> AsyncIterator[CoopUnderTest]:
    async with fresh_database("coop") as dsn:
        settings = CoopSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                database_pool_max=20)
        app = create_app(make_spec(settings))
        async with served(app) as url:
            pool = app.state.runtime.pool
            await seed(pool)
            gql = GraphQLClient(url)
            try:
                yield CoopUnderTest(url, gql, pool, tokens)
            finally:
                await gql.close()
