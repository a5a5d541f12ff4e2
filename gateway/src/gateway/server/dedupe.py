"""Inbound in-flight deduplication: while a request is executing, an identical one (same
document, variables, operation name and caller's Authorization header) waits for its answer
instead of executing again. Keyed on the caller's credentials, so two users never share one."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson


def dedupe_key(
    query: str, variables: Any, operation_name: str | None, authorization: str | None
) -> bytes:
    material = orjson.dumps(
        [query, variables, operation_name, authorization], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(material).digest()


class InflightDeduplicator:
    def __init__(self) -> None:
        self._inflight: dict[bytes, asyncio.Future[Any]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: bytes, work: Callable[[], Awaitable[Any]]) -> tuple[Any, bool]:
        """The result, and whether it was shared from another in-flight request."""
        pending = self._inflight.get(key)
        if pending is not None:
            # shield: a follower that disconnects must not cancel the leader's execution.
            return await asyncio.shield(pending), True
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await work()
        except BaseException as error:
            future.set_exception(error)
            # Mark the exception retrieved when nobody else waited for it.
            future.exception()
            raise
        else:
            future.set_result(result)
            return result, False
        finally:
            del self._inflight[key]
