"""Process-wide clients the gateway owns for its lifetime: the PostgreSQL pool (app role),
the Redis connection (arq queue), and the readiness probes for each dependency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from psycopg_pool import AsyncConnectionPool

from gateway.settings import Settings
from pipeline.core.db import open_pool
from pipeline.worker import create_queue
from tenant_auth.core.libsql import Statement
from tenant_auth.registry.registry import Registry, open_registry

__all__ = ["Resources", "open_resources", "redis_settings"]

Probe = Callable[[], Awaitable[None]]


@dataclass
class Resources:
    settings: Settings
    pool: AsyncConnectionPool[Any]
    redis: ArqRedis
    registry: Registry
    probes: dict[str, Probe]


def redis_settings(url: str) -> RedisSettings:
    # arq's default retries connecting for ~5 s per attempt; fail fast and let readiness say so.
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 2
    settings.conn_retries = 1
    settings.conn_retry_delay = 0
    return settings


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    assert settings.redis.url is not None, "embedded services must be started before the gateway"
    pool = await open_pool(
        settings.database.app_conninfo(),
        min_size=settings.database.pool_min_size,
        max_size=settings.database.pool_max_size,
    )
    try:
        redis = await create_queue(redis_settings(settings.redis.url))
        try:

            async def postgres_probe() -> None:
                async with pool.connection(timeout=2.0) as conn:
                    await conn.execute("SELECT 1")

            async def redis_probe() -> None:
                await redis.ping()

            async with open_registry(settings.auth) as registry:

                async def registry_probe() -> None:
                    # Through the registry's own connection, so the probe reaches the
                    # registry the way every request does (URL scheme, token, locking).
                    await registry.db.read(Statement("SELECT 1"))

                yield Resources(
                    settings=settings,
                    pool=pool,
                    redis=redis,
                    registry=registry,
                    probes={
                        "postgres": postgres_probe,
                        "redis": redis_probe,
                        "registry": registry_probe,
                    },
                )
        finally:
            await redis.aclose()
    finally:
        await pool.close()


async def run_probe(probe: Probe, timeout_s: float = 3.0) -> str | None:
    """``None`` when the probe passed, else a short reason (never a stack trace)."""
    try:
        async with asyncio.timeout(timeout_s):
            await probe()
    except TimeoutError:
        return "timed out"
    except Exception as exc:  # readiness reports every failure as data
        return type(exc).__name__
    return None
