"""Requests per second per caller, counted in Redis so every gateway process shares the
budget. A fixed one-second window: one round trip (INCR + EXPIRE pipelined) per request."""

from __future__ import annotations

import math
import time

from arq.connections import ArqRedis

__all__ = ["RateLimited", "check_rate"]


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


async def check_rate(redis: ArqRedis, caller: str, *, per_second: int) -> None:
    """Count one request for ``caller`` (an API key id, or tenant and source for signed
    requests). Raises ``RateLimited`` with the seconds until the window resets."""
    now = time.time()
    window = int(now)
    key = f"leadgate:ingest-rate:{caller}:{window}"
    async with redis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, 2)
        count, _ = await pipe.execute()
    if int(count) > per_second:
        raise RateLimited(max(1, math.ceil(window + 1 - now)))
