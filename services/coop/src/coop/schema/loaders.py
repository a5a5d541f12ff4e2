"""Per-request DataLoaders, so nested fields cost one query per level, not per row."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader
from xiangzhi_shared.context import RequestContext

from .. import reads


def coops(ctx: RequestContext) -> DataLoader[uuid.UUID, dict | None]:
    loader = ctx.loaders.get("coops")
    if loader is None:
        async def load(ids: list[uuid.UUID]) -> list[dict | None]:
            async with ctx.pool.acquire() as conn:
                return await reads.coops_by_ids(conn, ids)
        loader = ctx.loaders["coops"] = DataLoader(load_fn=load)
    return loader


def items(ctx: RequestContext) -> DataLoader[uuid.UUID, dict | None]:
    loader = ctx.loaders.get("items")
    if loader is None:
        async def load(ids: list[uuid.UUID]) -> list[dict | None]:
            async with ctx.pool.acquire() as conn:
                rows = {r["id"]: r for r in await reads.input_items(conn)}
            return [rows.get(i) for i in ids]
        loader = ctx.loaders["items"] = DataLoader(load_fn=load)
    return loader
