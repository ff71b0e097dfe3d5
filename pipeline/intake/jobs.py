"""arq entry point for stored batches: parse, normalize and load a batch the gateway
stored (too big to process inline, or left unprocessed by a gateway that died), then queue
its deliveries. The job carries ids only; running it twice is harmless (a processed batch
is returned as it is)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

import psycopg
from arq.connections import ArqRedis

from pipeline.delivery.jobs import enqueue_deliveries
from pipeline.intake.schemas import IngestOutcome
from pipeline.intake.service import IngestError, process_batch

__all__ = ["PROCESS_BATCH_JOB", "enqueue_batch_processing", "process_ingest_batch"]

log = logging.getLogger(__name__)

PROCESS_BATCH_JOB = "process_ingest_batch"


def _job_id(batch_id: UUID) -> str:
    # One queued job per batch: a second enqueue while the first is queued, running or
    # its result is kept is a no-op in arq.
    return f"leadgate:ingest:{batch_id}"


async def enqueue_batch_processing(redis: ArqRedis, tenant_id: UUID, batch_id: UUID) -> bool:
    """Queue processing of a committed batch on ``redis`` (from
    ``pipeline.worker.create_queue``). False when a job for it is already queued."""
    from pipeline.worker.settings import QUEUE_NAME

    job = await redis.enqueue_job(
        PROCESS_BATCH_JOB,
        str(tenant_id),
        str(batch_id),
        _job_id=_job_id(batch_id),
        _queue_name=QUEUE_NAME,
    )
    return job is not None


def _process(conninfo: str, tenant_id: UUID, batch_id: UUID) -> IngestOutcome:
    with psycopg.connect(conninfo) as conn:
        return process_batch(conn, tenant_id=tenant_id, batch_id=batch_id)


async def process_ingest_batch(
    ctx: dict[str, Any], tenant_id: str, batch_id: str
) -> dict[str, Any]:
    """Process one stored batch (blocking work on a thread, its own connection) and queue
    the deliveries it created."""
    tenant = UUID(tenant_id)
    batch = UUID(batch_id)
    try:
        outcome = await asyncio.to_thread(
            _process, ctx["deps"].database.app_conninfo(), tenant, batch
        )
    except IngestError:
        log.warning("batch to process not found", extra={"batch_id": batch_id})
        return {"status": "missing"}
    if outcome.delivery_ids:
        await enqueue_deliveries(ctx["redis"], tenant, outcome.delivery_ids)
    result = outcome.batch
    return {
        "status": result.status,
        "already_processed": outcome.already_ingested,
        "records": result.total_records,
        "queued": len(outcome.delivery_ids),
    }
