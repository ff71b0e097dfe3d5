"""Requests per second per caller, shared by every gateway process through Redis, without
a Redis round trip per request.

The budget is a fixed one-second window counted in Redis (``INCRBY`` + ``EXPIRE`` on one
key per caller and second). A process does not count each request there: it leases
tokens in blocks (:func:`lease_size`: a tenth of the rate, at most
:data:`MAX_LEASE`) and spends them locally; a request finding no token left waits for the
next lease, shared with every other request waiting on the same caller. Redis grants a
lease only up to what is left of the window's budget, and tokens never outlive their
window.

Tolerance, across any number of processes P: a caller is never admitted more than
``per_second`` times in one window (the leases granted add up to at most the budget). It
can be refused early, by at most ``(P - 1) * (lease_size - 1)`` requests a window: the
tokens other processes leased and have not spent yet. With one process the count is
exact. At the default 100 requests per second that is at most 9 requests per other
process.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from arq.connections import ArqRedis

__all__ = ["MAX_LEASE", "RateLimited", "RateLimiter", "lease_size"]

MAX_LEASE = 1000
"""Tokens leased at once, at most: a round trip per thousand requests is already free."""


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


def lease_size(per_second: int) -> int:
    return max(1, min(per_second // 10, MAX_LEASE))


@dataclass(eq=False)
class _Budget:
    """One caller's tokens in this process for one window."""

    window: int
    tokens: int = 0
    exhausted: bool = False
    """Redis granted less than asked: the window's budget is spent for every process."""
    lease: asyncio.Task[None] | None = field(default=None)


class RateLimiter:
    def __init__(
        self, redis: ArqRedis, *, per_second: int, clock: Callable[[], float] = time.time
    ) -> None:
        """``clock`` gives the wall time in seconds (windows are whole seconds of it, so
        every process agrees on them)."""
        self._redis = redis
        self._per_second = per_second
        self._lease = lease_size(per_second)
        self._clock = clock
        self._window = 0
        self._budgets: dict[str, _Budget] = {}

    async def acquire(self, caller: str) -> None:
        """Count one request for ``caller`` (an API key id, or tenant and source for
        signed requests). Raises ``RateLimited`` with the seconds until the window resets,
        or Redis's error when a lease fails."""
        while True:
            now = self._clock()
            budget = self._budget(caller, int(now))
            if budget.tokens > 0:
                budget.tokens -= 1
                return
            if budget.exhausted:
                raise RateLimited(max(1, math.ceil(budget.window + 1 - now)))
            if budget.lease is None:
                budget.lease = asyncio.create_task(self._take_lease(caller, budget))
            # Shielded: one waiter going away must not cancel the lease the others await.
            await asyncio.shield(budget.lease)

    def _budget(self, caller: str, window: int) -> _Budget:
        if window != self._window:
            # A new second: every earlier budget is worthless; in-flight leases finish
            # into budgets nobody looks up again.
            self._window = window
            self._budgets = {}
        budget = self._budgets.get(caller)
        if budget is None:
            budget = self._budgets[caller] = _Budget(window=window)
        return budget

    async def _take_lease(self, caller: str, budget: _Budget) -> None:
        key = f"leadgate:ingest-rate:{caller}:{budget.window}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incrby(key, self._lease)
                pipe.expire(key, 2)
                counted, _ = await pipe.execute()
        finally:
            budget.lease = None
        left_before = self._per_second - (int(counted) - self._lease)
        granted = max(0, min(self._lease, left_before))
        budget.tokens += granted
        if granted < self._lease:
            budget.exhausted = True
