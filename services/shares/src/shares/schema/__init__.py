"""The shares subgraph: strawberry Federation 2 schema."""

from __future__ import annotations

import strawberry

from .mutation import Mutation
from .query import Query
from .types import Resident, Village


def build_schema() -> strawberry.Schema:
    return strawberry.federation.Schema(query=Query, mutation=Mutation, types=[Village, Resident],
                                        federation_version="2.5")
