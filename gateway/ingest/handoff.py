"""Hand committed batches to the worker once per short window, not once per commit.

Queueing an arq job costs several Redis round trips (a watched transaction), and under
load the gateway commits hundreds of groups a second: queued one job per commit, the
hand-off was a tenth of the gateway's CPU. Instead every commit adds its new batches here
without waiting, and one task queues whatever gathered in the last :data:`WINDOW_S`, one
job per tenant per :data:`JOB_BATCHES` batches.

A batch is durable before it is added, so a hand-off lost with the process (a crash
inside the window, or Redis down) only delays it: the recovery sweep queues batches that
are still ``received`` a minute later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from uuid import UUID

__all__ = ["JOB_BATCHES", "WINDOW_S", "ProcessingHandoff"]

log = logging.getLogger(__name__)

WINDOW_S = 0.05
"""How long a committed batch may wait to be queued: small against the one second a
single lead has to be processed in, long enough to gather a busy second's commits into
twenty jobs."""
JOB_BATCHES = 100
"""Batches per processing job."""


class ProcessingHandoff:
    def __init__(
        self,
        enqueue: Callable[[UUID, list[UUID]], Awaitable[bool]],
        *,
        window_s: float = WINDOW_S,
    ) -> None:
        """``enqueue`` queues one job for up to :data:`JOB_BATCHES` batches of a tenant
        and must not raise (a failure is the recovery sweep's to repair)."""
        self._enqueue = enqueue
        self._window_s = window_s
        self._pending: defaultdict[UUID, list[UUID]] = defaultdict(list)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        """Stop, then queue what is still pending."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    def add(self, tenant_id: UUID, batch_ids: list[UUID]) -> None:
        """Queue ``batch_ids`` (committed) within the window; never waits."""
        self._pending[tenant_id].extend(batch_ids)
        self._wake.set()

    async def flush(self) -> None:
        """Queue everything added so far."""
        pending, self._pending = self._pending, defaultdict(list)
        for tenant_id, batch_ids in pending.items():
            for start in range(0, len(batch_ids), JOB_BATCHES):
                await self._enqueue(tenant_id, batch_ids[start : start + JOB_BATCHES])

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._window_s)
            self._wake.clear()
            await self.flush()
