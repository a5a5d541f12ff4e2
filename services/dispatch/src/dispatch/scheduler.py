"""The overdue detector: a background task marking tickets past their SLA deadline."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from . import tickets
from .clock import Clock, utc_now

log = logging.getLogger(__name__)


class OverdueDetector:
    """Started and stopped by the app lifespan (xiangzhi_shared.service.Lifecycle)."""

    def __init__(self, pool: asyncpg.Pool, interval_s: float, clock: Clock = utc_now) -> None:
        self._pool = pool
        self._interval = interval_s
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="overdue-detector")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                marked = await tickets.mark_overdue(self._pool, self._clock())
                if marked:
                    log.info("marked %d ticket(s) overdue", marked)
            except Exception as exc:  # database away: try again next round
                log.warning("overdue detector: %s", exc)
            await asyncio.sleep(self._interval)
