"""Committed batches reach the worker's queue once per window, a job per tenant per
hundred batches, and nothing added is dropped when the gateway stops."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

from gateway.ingest.handoff import JOB_BATCHES, ProcessingHandoff


class Queue:
    def __init__(self) -> None:
        self.jobs: list[tuple[UUID, list[UUID]]] = []

    async def enqueue(self, tenant_id: UUID, batch_ids: list[UUID]) -> bool:
        self.jobs.append((tenant_id, list(batch_ids)))
        return True


async def test_commits_within_a_window_become_one_job_per_tenant() -> None:
    queue = Queue()
    handoff = ProcessingHandoff(queue.enqueue, window_s=0.05)
    handoff.start()
    acme, beta = uuid4(), uuid4()
    first, second, third = uuid4(), uuid4(), uuid4()
    try:
        handoff.add(acme, [first])
        handoff.add(beta, [second])
        handoff.add(acme, [third])
        assert queue.jobs == [], "nothing is queued before the window ends"
        await asyncio.sleep(0.2)
    finally:
        await handoff.close()

    assert sorted(queue.jobs) == sorted([(acme, [first, third]), (beta, [second])])


async def test_a_big_window_is_split_into_jobs_of_at_most_a_hundred_batches() -> None:
    queue = Queue()
    handoff = ProcessingHandoff(queue.enqueue, window_s=0.05)
    handoff.start()
    tenant = uuid4()
    batches = [uuid4() for _ in range(2 * JOB_BATCHES + 50)]
    try:
        handoff.add(tenant, batches)
        await asyncio.sleep(0.2)
    finally:
        await handoff.close()

    assert [len(ids) for _, ids in queue.jobs] == [JOB_BATCHES, JOB_BATCHES, 50]
    assert [b for _, ids in queue.jobs for b in ids] == batches


async def test_closing_queues_what_is_still_waiting() -> None:
    queue = Queue()
    handoff = ProcessingHandoff(queue.enqueue, window_s=10.0)
    handoff.start()
    tenant, batch = uuid4(), uuid4()
    handoff.add(tenant, [batch])

    await handoff.close()

    assert queue.jobs == [(tenant, [batch])]
