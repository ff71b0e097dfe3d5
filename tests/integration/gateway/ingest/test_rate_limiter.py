"""The per-caller rate limit counted in leases against real Redis: exact in one process,
never over the budget across processes, refused early by at most the stated tolerance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from arq.connections import ArqRedis

from gateway.core.resources import redis_settings
from gateway.ingest.ratelimit import RateLimited, RateLimiter, lease_size
from pipeline.worker.settings import create_queue


class Clock:
    """Wall time the test moves by hand: a window never ends in the middle of a test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[ArqRedis]:
    queue = await create_queue(redis_settings(redis_url))
    try:
        yield queue
    finally:
        await queue.aclose()


async def admitted(limiter: RateLimiter, caller: str, attempts: int) -> int:
    count = 0
    for _ in range(attempts):
        try:
            await limiter.acquire(caller)
        except RateLimited:
            continue
        count += 1
    return count


def test_a_lease_is_a_tenth_of_the_rate_between_one_and_a_thousand() -> None:
    assert [lease_size(rate) for rate in (0, 3, 100, 25_000, 10**6)] == [1, 1, 10, 1000, 1000]


async def test_one_process_admits_exactly_the_rate_per_window(redis: ArqRedis) -> None:
    clock = Clock(1_000_000.25)
    limiter = RateLimiter(redis, per_second=100, clock=clock)

    assert await admitted(limiter, "key:a", 150) == 100
    assert await redis.get("leadgate:ingest-rate:key:a:1000000") == b"110", (
        "10 leases of 10, the last one granted nothing"
    )


async def test_a_refusal_says_when_the_window_ends_and_the_next_window_admits_again(
    redis: ArqRedis,
) -> None:
    clock = Clock(2_000_000.2)
    limiter = RateLimiter(redis, per_second=3, clock=clock)
    assert await admitted(limiter, "key:b", 3) == 3

    with pytest.raises(RateLimited) as refused:
        await limiter.acquire("key:b")
    assert refused.value.retry_after_s == 1

    clock.now += 1.0
    assert await admitted(limiter, "key:b", 5) == 3


async def test_callers_have_separate_budgets(redis: ArqRedis) -> None:
    limiter = RateLimiter(redis, per_second=5, clock=Clock(3_000_000.5))

    assert await admitted(limiter, "key:c", 10) == 5
    assert await admitted(limiter, "key:d", 10) == 5


async def test_processes_sharing_a_budget_never_exceed_it_and_lose_at_most_the_tolerance(
    redis: ArqRedis,
) -> None:
    rate, processes = 100, 3
    clock = Clock(4_000_000.5)
    limiters = [RateLimiter(redis, per_second=rate, clock=clock) for _ in range(processes)]

    # Requests spread round-robin over the processes, as a load balancer would.
    total = 0
    for n in range(3 * rate):
        try:
            await limiters[n % processes].acquire("key:e")
        except RateLimited:
            continue
        total += 1

    assert total <= rate
    assert total >= rate - (processes - 1) * (lease_size(rate) - 1)


async def test_concurrent_requests_share_one_lease(redis: ArqRedis) -> None:
    limiter = RateLimiter(redis, per_second=1000, clock=Clock(5_000_000.5))

    await asyncio.gather(*(limiter.acquire("key:f") for _ in range(50)))

    assert await redis.get("leadgate:ingest-rate:key:f:5000000") == b"100", (
        "one lease of 100 served all 50"
    )
