"""arq ``WorkerSettings`` for leadgate, built from settings at startup (never at import).

Jobs are serialized with msgpack through msgspec, not pickle: a job payload is data (ids),
and unpickling bytes from Redis would let anyone who can write to Redis run code.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import cron
from arq.worker import func

from pipeline.core.db import open_pool
from pipeline.core.settings import DatabaseSettings, WorkerSettings
from pipeline.delivery.http import create_http_client
from pipeline.delivery.jobs import (
    DELIVER_JOB,
    deliver_leads,
    maintain_attempt_partitions,
    sweep_due_deliveries,
)
from pipeline.delivery.limits import RateLimiter
from pipeline.delivery.service import Deliverer
from pipeline.intake.jobs import PROCESS_BATCHES_JOB, process_ingest_batches
from pipeline.tenants.schemas import SecretCipher

__all__ = [
    "HEARTBEAT_KEY",
    "QUEUE_NAME",
    "WorkerDeps",
    "create_queue",
    "deserialize_job",
    "serialize_job",
    "worker_settings",
]

QUEUE_NAME = "leadgate:queue"
HEARTBEAT_KEY = "leadgate:worker:heartbeat"
log = logging.getLogger(__name__)


def _fallback(obj: Any) -> Any:
    # arq stores a failed job's exception in its result; keep its text, not the object.
    if isinstance(obj, BaseException):
        return f"{type(obj).__name__}: {obj}"
    raise NotImplementedError(f"cannot serialize {type(obj).__name__} in a job")


_encoder = msgspec.msgpack.Encoder(enc_hook=_fallback)
_decoder = msgspec.msgpack.Decoder()


def serialize_job(data: dict[str, Any]) -> bytes:
    return _encoder.encode(data)


def deserialize_job(data: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = _decoder.decode(data)
    return decoded


async def create_queue(redis: RedisSettings) -> ArqRedis:
    """The Redis connection producers enqueue with: same serializer and queue as the
    worker (arq's default would pickle)."""
    return await create_pool(
        redis,
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        default_queue_name=QUEUE_NAME,
    )


@dataclass(frozen=True)
class WorkerDeps:
    """What the worker needs from the outside, decided by whoever starts it."""

    database: DatabaseSettings
    redis: RedisSettings
    worker: WorkerSettings
    cipher: SecretCipher
    """Decrypts tenants' Bonzo webhook URLs (tenant_auth's SecretBox, passed in)."""
    http_timeout_s: float = 15.0
    http_connect_timeout_s: float = 5.0


async def record_heartbeat(ctx: dict[str, Any]) -> None:
    """Cron: say in Redis that a worker is alive, for readiness and dashboards."""
    await ctx["redis"].set(HEARTBEAT_KEY, str(time.time()), ex=180)


def worker_settings(deps: WorkerDeps) -> dict[str, Any]:
    """Keyword arguments for ``arq.Worker``.

    ``on_startup`` opens the PostgreSQL pool (app role) and one ``httpx.AsyncClient`` with
    explicit timeouts; ``on_shutdown`` closes both. Jobs find them in ``ctx["pool"]`` and
    ``ctx["http"]``.
    """

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["deps"] = deps
        ctx["pool"] = await open_pool(
            deps.database.app_conninfo(),
            min_size=deps.database.pool_min_size,
            max_size=deps.database.pool_max_size,
        )
        ctx["http"] = create_http_client(
            timeout_s=deps.http_timeout_s, connect_timeout_s=deps.http_connect_timeout_s
        )
        ctx["deliverer"] = Deliverer(
            pool=ctx["pool"],
            http=ctx["http"],
            cipher=deps.cipher,
            rate_limiter=RateLimiter(ctx["redis"]),
            lease=timedelta(seconds=deps.worker.delivery_lease_s),
        )
        await record_heartbeat(ctx)
        log.info("worker started")

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "http" in ctx:
            await ctx["http"].aclose()
        if "pool" in ctx:
            await ctx["pool"].close()
        log.info("worker stopped")

    return {
        "functions": [
            func(deliver_leads, name=DELIVER_JOB, max_tries=1),
            func(process_ingest_batches, name=PROCESS_BATCHES_JOB, max_tries=3),
        ],
        "cron_jobs": [
            cron(record_heartbeat, second={0, 30}),
            # Every second: retries come due with at most a second's delay.
            cron(sweep_due_deliveries, second=set(range(60)), run_at_startup=True, unique=True),
            cron(maintain_attempt_partitions, hour={3}, minute={17}, run_at_startup=True),
        ],
        "redis_settings": deps.redis,
        "queue_name": QUEUE_NAME,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "poll_delay": deps.worker.poll_delay_s,
        "max_jobs": deps.worker.max_jobs,
        "job_timeout": deps.worker.job_timeout_s,
        "job_serializer": serialize_job,
        "job_deserializer": deserialize_job,
        "handle_signals": False,
        "keep_result": 60,
    }
