"""Per-request DataLoaders, so nested fields cost one query per level, not per row."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader
from xiangzhi_shared.context import RequestContext

from .. import reads


def regions(ctx: RequestContext) -> DataLoader[uuid.UUID, dict | None]:
    loader = ctx.loaders.get("regions")
    if loader is None:
        async def load(ids: list[uuid.UUID]) -> list[dict | None]:
            async with ctx.pool.acquire() as conn:
                return await reads.regions_by_ids(conn, ids)
        loader = ctx.loaders["regions"] = DataLoader(load_fn=load)
    return loader
