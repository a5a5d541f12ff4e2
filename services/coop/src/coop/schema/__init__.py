"""The coop subgraph: strawberry Federation 2 schema."""

from __future__ import annotations

import strawberry

from .mutation import Mutation
from .query import Query
from .types import Region, SupplyCoop, Village


def build_schema() -> strawberry.Schema:
    return strawberry.federation.Schema(query=Query, mutation=Mutation,
                                        types=[Region, Village, SupplyCoop],
                                        federation_version="2.5")
