"""Run a real arq worker in the test's event loop and stop it without leaking tasks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.worker import Worker

from pipeline.worker import WorkerDeps, worker_settings


@asynccontextmanager
async def running_worker(deps: WorkerDeps) -> AsyncIterator[Worker]:
    worker = Worker(**worker_settings(deps))
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        # Let queued and running jobs finish: a job cancelled in the middle of a Redis
        # pipeline leaves its connection open (a ResourceWarning at collection).
        for _ in range(200):
            queued = await worker.pool.zcount(worker.queue_name, 0, time.time() * 1000)
            if not queued and all(job.done() for job in worker.tasks.values()):
                break
            await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # close() gathers the job tasks; one cancelled while the loop above gave up
        # re-raises its CancelledError here, which is the end we asked for.
        with contextlib.suppress(asyncio.CancelledError):
            await worker.close()
