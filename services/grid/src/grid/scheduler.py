"""The overdue scheduler: periodically escalates matters past their deadline one level up.
Its clock is injectable and `run_once` is public, so tests drive it without sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from .clock import Clock, utc_now
from .matters import escalate_overdue

log = logging.getLogger(__name__)


class EscalationScheduler:
    def __init__(self, pool: asyncpg.Pool, interval_s: float, clock: Clock = utc_now) -> None:
        self._pool = pool
        self._interval = interval_s
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        return await escalate_overdue(self._pool, self._clock())

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="escalation-scheduler")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                n = await self.run_once()
                if n:
                    log.info("escalated %d overdue matter(s)", n)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("escalation run failed; will retry")
            await asyncio.sleep(self._interval)
