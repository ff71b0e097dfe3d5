"""arq entry points for delivery. Jobs carry ids only; everything else is read from
PostgreSQL, so a job that is lost or runs twice changes nothing but timing."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from arq.connections import ArqRedis

from pipeline.core.db import system_transaction
from pipeline.delivery import repository
from pipeline.delivery.service import Deliverer

__all__ = [
    "DELIVER_JOB",
    "deliver_leads",
    "enqueue_deliveries",
    "maintain_attempt_partitions",
    "sweep_due_deliveries",
]

log = logging.getLogger(__name__)

DELIVER_JOB = "deliver_leads"
GROUP_SIZE = 100
SWEEP_LIMIT = 5000
SWEEP_GRACE = timedelta(seconds=2)
REQUEUE_AFTER = timedelta(seconds=60)
# A big file's waiting leads get outbox rows while their tenant has fewer than this many
# pending: minutes of work at a typical Bonzo rate limit, seconds at full speed.
OUTBOX_BACKLOG = 5000
EXPAND_LIMIT = 10_000


async def enqueue_deliveries(
    redis: ArqRedis, tenant_id: UUID, delivery_ids: Sequence[UUID]
) -> None:
    """Queue delivery jobs for one tenant's new outbox rows on ``redis`` (from
    ``pipeline.worker.create_queue``). Call after the transaction that wrote them has
    committed; if this fails, the sweeper finds the rows anyway."""
    from pipeline.worker.settings import QUEUE_NAME

    ids = [str(i) for i in delivery_ids]
    for start in range(0, len(ids), GROUP_SIZE):
        await redis.enqueue_job(
            DELIVER_JOB, str(tenant_id), ids[start : start + GROUP_SIZE], _queue_name=QUEUE_NAME
        )


async def deliver_leads(
    ctx: dict[str, Any], tenant_id: str, delivery_ids: list[str]
) -> dict[str, int]:
    deliverer: Deliverer = ctx["deliverer"]
    report = await deliverer.deliver(UUID(tenant_id), [UUID(i) for i in delivery_ids])
    return {
        "claimed": report.claimed,
        "delivered": report.delivered,
        "retrying": report.retrying,
        "failed": report.failed,
    }


async def sweep_due_deliveries(ctx: dict[str, Any]) -> int:
    """Cron: give big files' waiting leads their outbox rows as their tenants' backlogs
    drain, then queue whatever PostgreSQL says is due and not in anyone's hands: those,
    retries whose time has come, bulk loads, and rows whose job vanished with a flushed
    Redis."""
    async with system_transaction(ctx["pool"]) as conn:
        due = await repository.expand_deferred_outbox(
            conn, backlog=OUTBOX_BACKLOG, limit=EXPAND_LIMIT
        )
    async with system_transaction(ctx["pool"]) as conn:
        due += await repository.claim_due_for_enqueue(
            conn, limit=SWEEP_LIMIT, grace=SWEEP_GRACE, requeue_after=REQUEUE_AFTER
        )
    by_tenant: dict[UUID, list[UUID]] = defaultdict(list)
    for tenant_id, delivery_id in due:
        by_tenant[tenant_id].append(delivery_id)
    for tenant_id, ids in by_tenant.items():
        await enqueue_deliveries(ctx["redis"], tenant_id, ids)
    if due:
        log.info(
            "sweeper queued due deliveries", extra={"count": len(due), "tenants": len(by_tenant)}
        )
    return len(due)


async def maintain_attempt_partitions(ctx: dict[str, Any]) -> int:
    """Cron: create next months' partitions of the attempt log ahead of time."""
    async with system_transaction(ctx["pool"]) as conn:
        return await repository.ensure_partitions(conn, months_ahead=2)
