"""Per-tenant fairness: a rate limit shared by all workers (Redis, one counter per tenant
per second) and a concurrency limit per worker process (a semaphore per tenant)."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

__all__ = ["ConcurrencyLimits", "RateLimiter"]


class RateLimiter:
    def __init__(self, redis: Any) -> None:
        self._redis = redis

    async def acquire(self, tenant_id: UUID, wanted: int, per_second: int) -> int:
        """How many of ``wanted`` posts the tenant may make in the current second."""
        if wanted <= 0:
            return 0
        key = f"leadgate:rate:{tenant_id}:{int(time.time())}"
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incrby(key, wanted)
            pipe.expire(key, 2)
            total, _ = await pipe.execute()
        already = int(total) - wanted
        return max(0, min(wanted, per_second - already))


class ConcurrencyLimits:
    def __init__(self) -> None:
        self._semaphores: dict[UUID, tuple[int, asyncio.Semaphore]] = {}

    def for_tenant(self, tenant_id: UUID, limit: int) -> asyncio.Semaphore:
        current = self._semaphores.get(tenant_id)
        if current is None or current[0] != limit:
            current = (limit, asyncio.Semaphore(limit))
            self._semaphores[tenant_id] = current
        return current[1]
