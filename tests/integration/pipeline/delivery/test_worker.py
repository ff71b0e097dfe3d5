"""The arq worker end to end on real Redis: queue after commit, sweeper recovery after a
flushed Redis, and a worker killed in the middle of a batch."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from arq.worker import Worker

from gateway.core.resources import redis_settings
from pipeline.core.settings import WorkerSettings
from pipeline.delivery.jobs import enqueue_deliveries
from pipeline.intake import service as intake_service
from pipeline.worker import WorkerDeps, create_queue
from tests.support.settings import TEST_SECRET_KEY
from tests.support.worker import running_worker as start_worker

from .conftest import World


@asynccontextmanager
async def running_worker(
    world: World, redis_url: str, *, lease_s: float = 90.0
) -> AsyncIterator[Worker]:
    deps = WorkerDeps(
        database=world.database,
        redis=redis_settings(redis_url),
        worker=WorkerSettings(poll_delay_s=0.02, delivery_lease_s=lease_s),
        cipher=world.cipher,
    )
    async with start_worker(deps) as worker:
        yield worker


async def wait_until(predicate: Callable[[], bool], *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


def delivered(world: World) -> int:
    return int(world.owner("SELECT count(*) FROM deliveries WHERE status = 'delivered'")[0][0])


async def test_leads_queued_after_commit_are_delivered_by_the_worker(
    world: World, redis_url: str
) -> None:
    ids = world.ingest("Ann,Lee,ann@example.com,", "Bo,Ray,bo@example.com,")
    redis = await create_queue(redis_settings(redis_url))
    try:
        async with running_worker(world, redis_url):
            await enqueue_deliveries(redis, world.tenant_id, ids)
            assert await wait_until(lambda: delivered(world) == 2, timeout_s=15)
    finally:
        await redis.aclose()


async def test_a_flushed_redis_only_delays_delivery(world: World, redis_url: str) -> None:
    ids = world.ingest("Ann,Lee,ann@example.com,", "Bo,Ray,bo@example.com,")
    redis = await create_queue(redis_settings(redis_url))
    try:
        await enqueue_deliveries(redis, world.tenant_id, ids)
        await redis.flushdb()
        async with running_worker(world, redis_url):
            assert await wait_until(lambda: delivered(world) == 2, timeout_s=20), (
                "the sweeper re-queues what Redis lost"
            )
    finally:
        await redis.aclose()


async def test_a_big_files_waiting_leads_are_queued_by_the_sweeper_and_delivered(
    world: World, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4 records per load chunk: the first 4 leads get outbox rows with the load, the other
    # 8 wait for the sweeper (migration 0007).
    monkeypatch.setattr(intake_service, "LOAD_CHUNK_RECORDS", 4)
    world.ingest(*(f"Lead{i},Lee,lead{i}@example.com," for i in range(12)))
    queued_by_load = int(world.owner("SELECT count(*) FROM deliveries")[0][0])

    async with running_worker(world, redis_url):
        assert await wait_until(lambda: delivered(world) == 12, timeout_s=20)

    assert queued_by_load == 4
    assert world.owner("SELECT outbox_through FROM ingest_batches") == [(None,)]
    received = (await world.received())["external_ids"]
    assert len(received) == 12
    assert all(posts["accepted"] == 1 for posts in received.values())


async def test_a_worker_killed_mid_batch_loses_no_lead(
    world: World, redis_url: str, tmp_path: Path
) -> None:
    ids = world.ingest(*(f"Lead{i},Lee,lead{i}@example.com," for i in range(20)))
    await world.set_faults(slow_ms=4000)
    db = world.database
    env = {
        **os.environ,
        "PGHOST": str(db.host),
        "PGPORT": str(db.port),
        "PGDATABASE": db.dbname,
        "PGUSER": db.owner_user or "postgres",
        "LEADGATE_APP_PGUSER": db.app_user,
        "REDIS_URL": redis_url,
        "LEADGATE_SECRET_KEY": TEST_SECRET_KEY,
        "LEADGATE_DATA_DIR": str(tmp_path),
        "LEADGATE_DELIVERY_LEASE_S": "3",
        "LEADGATE_WORKER_POLL_DELAY": "0.02",
    }
    doomed = subprocess.Popen(  # noqa: ASYNC220 - the worker must be a real process
        [sys.executable, "-c", "from gateway.cli import main; main()", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        claimed = await wait_until(
            lambda: (
                world.owner("SELECT count(*) FROM deliveries WHERE claimed_by IS NOT NULL")[0][0]
                > 0
            ),
            timeout_s=30,
        )
        assert claimed, "the doomed worker never claimed a delivery"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    assert delivered(world) == 0, "killed while its posts were still in flight"

    await world.set_faults()
    async with running_worker(world, redis_url, lease_s=3):
        assert await wait_until(lambda: delivered(world) == len(ids), timeout_s=30), world.owner(
            "SELECT status, attempt_count, claimed_until > now(), enqueued_at, updated_at, now() FROM deliveries"
        )
    received = await world.received()
    assert set(received["external_ids"]) == {
        str(r[0]) for r in world.owner("SELECT lead_id FROM deliveries")
    }
