"""What the ingest endpoint keeps for the life of a gateway process: the group committer
for small bodies (with an autocommit connection of its own), a small blocking PostgreSQL
pool (``store_batch`` for big bodies runs on a thread), the rate limiter, the secret box
for signing secrets, the hand-off to the worker and the recovery sweep.

Processing (parse, normalize, load, queue deliveries) is the worker's: every stored
batch is handed to it as an arq job within 50 ms of its commit (see
``gateway.ingest.handoff``). Measured, processing small posts in the gateway itself cut
its request rate by more than half (the parsing threads hold the GIL the event loop
needs), while a worker polling every 50 ms still loads a single lead well within the
second.

The recovery sweep closes the gap between "stored" and "processed": a gateway that dies
after its 202 but before processing finishes (or before its job reached Redis) leaves a
``received`` batch, and every gateway process queues such batches for the worker once
they are older than :data:`RECOVER_AFTER`. Queueing twice is harmless (one arq job id per
batch, and a processed batch is not processed again).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Litestar
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from gateway.core.resources import Resources
from gateway.ingest import repository
from gateway.ingest.committer import GroupCommitter, SmallBody
from gateway.ingest.handoff import JOB_BATCHES, ProcessingHandoff
from gateway.ingest.ratelimit import RateLimiter
from gateway.ingest.service import StoredRequest, store_request
from gateway.settings import Settings
from pipeline.core.db import system_transaction
from pipeline.intake.jobs import enqueue_batch_processing
from tenant_auth.core.secretbox import SecretBox

__all__ = ["IngestRuntime", "ingest_lifespan", "recover_received_batches"]

log = logging.getLogger(__name__)

RECOVER_AFTER = timedelta(seconds=60)
RECOVER_EVERY_S = 30.0
RECOVER_LIMIT = 500


@dataclass
class IngestRuntime:
    sync_pool: ConnectionPool[Any]
    """Blocking connections for big bodies (``store_batch`` on a thread) and processing."""
    committer: GroupCommitter
    handoff: ProcessingHandoff
    """Every batch stored by this process is added here once committed."""
    rate_limiter: RateLimiter
    secret_box: SecretBox


async def queue_processing(resources: Resources, tenant_id: UUID, batch_ids: list[UUID]) -> bool:
    """Hand committed batches to the worker. A failure is logged, not raised: the batches
    are durable, and the recovery sweep queues them later."""
    try:
        return await enqueue_batch_processing(resources.redis, tenant_id, batch_ids)
    except Exception:
        log.exception("could not queue batch processing", extra={"batches": len(batch_ids)})
        return False


async def recover_received_batches(resources: Resources) -> int:
    """Queue processing for every batch older than :data:`RECOVER_AFTER` that is still
    ``received``; returns how many jobs were newly queued."""
    async with system_transaction(resources.pool) as conn:
        stale = await repository.received_batches_older_than(
            conn, age=RECOVER_AFTER, limit=RECOVER_LIMIT
        )
    by_tenant: dict[UUID, list[UUID]] = defaultdict(list)
    for tenant_id, batch_id in stale:
        by_tenant[tenant_id].append(batch_id)
    queued = 0
    for tenant_id, batch_ids in by_tenant.items():
        for start in range(0, len(batch_ids), JOB_BATCHES):
            group = batch_ids[start : start + JOB_BATCHES]
            queued += len(group) * await queue_processing(resources, tenant_id, group)
    if queued:
        log.warning("queued unprocessed ingest batches", extra={"count": queued})
    return queued


async def _recover_forever(resources: Resources) -> None:
    while True:
        await asyncio.sleep(RECOVER_EVERY_S)
        try:
            await recover_received_batches(resources)
        except Exception:  # the next round tries again; a sweep must not kill the app
            log.exception("ingest recovery sweep failed")


def ingest_lifespan(
    settings: Settings,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A Litestar lifespan hook; must come after the one that sets ``app.state.resources``."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool: ConnectionPool[Any] = ConnectionPool(
            settings.database.app_conninfo(),
            min_size=1,
            max_size=settings.database.pool_max_size,
            open=False,
            name="leadgate-ingest",
        )
        await asyncio.to_thread(pool.open, wait=True, timeout=10.0)
        autocommit_pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            settings.database.app_conninfo(),
            min_size=1,
            max_size=1,
            kwargs={"autocommit": True},
            open=False,
            name="leadgate-ingest-commit",
        )
        await autocommit_pool.open(wait=True, timeout=10.0)
        resources: Resources = app.state.resources

        async def one_by_one(body: SmallBody) -> StoredRequest:
            return await asyncio.to_thread(
                store_request,
                pool,
                tenant_id=body.tenant_id,
                source=body.source,
                body=io.BytesIO(body.data),
                content_sha256=body.content_sha256,
                content_type=body.content_type,
                filename=body.filename,
                idempotency_key=body.idempotency_key,
            )

        async def enqueue(tenant_id: UUID, batch_ids: list[UUID]) -> bool:
            return await queue_processing(resources, tenant_id, batch_ids)

        handoff = ProcessingHandoff(enqueue)
        runtime = IngestRuntime(
            sync_pool=pool,
            committer=GroupCommitter(
                resources.pool,
                autocommit_pool=autocommit_pool,
                one_by_one=one_by_one,
                committed=handoff.add,
            ),
            handoff=handoff,
            rate_limiter=RateLimiter(resources.redis, per_second=settings.ingest.rate_per_s),
            secret_box=SecretBox.from_secret_key(settings.auth.secret_key),
        )
        handoff.start()
        runtime.committer.start()
        app.state.ingest = runtime
        recovery = asyncio.create_task(_recover_forever(resources))
        try:
            yield
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
            await runtime.committer.close()
            await handoff.close()
            await autocommit_pool.close()
            await asyncio.to_thread(pool.close)

    return lifespan
