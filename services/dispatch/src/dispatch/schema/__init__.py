"""The dispatch subgraph: strawberry Federation 2 schema."""

from __future__ import annotations

import strawberry

from .mutation import Mutation
from .query import Query
from .types import Grid, Matter, Village


def build_schema() -> strawberry.Schema:
    return strawberry.federation.Schema(query=Query, mutation=Mutation,
                                        types=[Village, Grid, Matter],
                                        federation_version="2.5")
