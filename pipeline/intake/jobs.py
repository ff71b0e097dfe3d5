"""arq entry point for stored batches: parse, normalize and load batches the gateway
stored, then queue their deliveries. A job carries ids only and may name several batches
of one tenant (the gateway commits concurrent requests together and queues them as one
job); running it twice is harmless (a processed batch is returned as it is)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from arq.connections import ArqRedis

from pipeline.delivery.jobs import enqueue_deliveries
from pipeline.intake.service import IngestError, process_batch

__all__ = ["PROCESS_BATCHES_JOB", "enqueue_batch_processing", "process_ingest_batches"]

log = logging.getLogger(__name__)

PROCESS_BATCHES_JOB = "process_ingest_batches"


async def enqueue_batch_processing(
    redis: ArqRedis, tenant_id: UUID, batch_ids: Sequence[UUID]
) -> bool:
    """Queue processing of committed batches of one tenant on ``redis`` (from
    ``pipeline.worker.create_queue``). False when a job for the same first batch is
    already queued, running, or just finished (arq keeps job ids unique)."""
    from pipeline.worker.settings import QUEUE_NAME

    job = await redis.enqueue_job(
        PROCESS_BATCHES_JOB,
        str(tenant_id),
        [str(batch_id) for batch_id in batch_ids],
        _job_id=f"leadgate:ingest:{batch_ids[0]}",
        _queue_name=QUEUE_NAME,
    )
    return job is not None


def _process(conninfo: str, tenant_id: UUID, batch_ids: list[UUID]) -> tuple[int, list[UUID]]:
    processed = 0
    delivery_ids: list[UUID] = []
    with psycopg.connect(conninfo) as conn:
        for batch_id in batch_ids:
            try:
                outcome = process_batch(conn, tenant_id=tenant_id, batch_id=batch_id)
            except IngestError:
                log.warning("batch to process not found", extra={"batch_id": str(batch_id)})
                continue
            processed += not outcome.already_ingested
            delivery_ids.extend(outcome.delivery_ids)
    return processed, delivery_ids


async def process_ingest_batches(
    ctx: dict[str, Any], tenant_id: str, batch_ids: list[str]
) -> dict[str, int]:
    """Process the batches in order on one connection (blocking work on a thread), then
    queue the deliveries they created."""
    tenant = UUID(tenant_id)
    processed, delivery_ids = await asyncio.to_thread(
        _process, ctx["deps"].database.app_conninfo(), tenant, [UUID(b) for b in batch_ids]
    )
    if delivery_ids:
        await enqueue_deliveries(ctx["redis"], tenant, delivery_ids)
    return {"batches": len(batch_ids), "processed": processed, "queued": len(delivery_ids)}
