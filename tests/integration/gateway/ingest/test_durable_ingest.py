"""Durable before the 202: with the worker killed, posted leads wait (stored in PostgreSQL,
their processing queued in Redis) and reach Bonzo once a worker runs again, both a single
lead (group-committed) and a bigger file (stored on its own)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest
from arq.worker import Worker

from gateway.bonzo_sandbox import SandboxConfig, running_sandbox
from gateway.core.resources import open_resources, redis_settings
from gateway.ingest.runtime import recover_received_batches
from gateway.settings import IngestSettings
from pipeline.core.settings import WorkerSettings
from pipeline.intake.service import store_batch
from pipeline.worker import WorkerDeps
from tenant_auth.core.secretbox import SecretBox
from tests.support.settings import TEST_SECRET_KEY
from tests.support.worker import running_worker

from .conftest import LEAD_HEADER, Gateway, lead_json

WEBHOOK_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def ingest_limits() -> IngestSettings:
    # Bodies over 2 KB are stored on their own, smaller ones by the group committer.
    return IngestSettings(group_commit_max_bytes=2048)


async def wait_until(predicate: Callable[[], bool], *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


def worker_env(gateway: Gateway, redis_url: str, tmp_path: Path) -> dict[str, str]:
    db = gateway.database
    return {
        **os.environ,
        "PGHOST": str(db.host),
        "PGPORT": str(db.port),
        "PGDATABASE": db.dbname,
        "PGUSER": db.owner_user or "postgres",
        "LEADGATE_APP_PGUSER": db.app_user,
        "REDIS_URL": redis_url,
        "LEADGATE_SECRET_KEY": TEST_SECRET_KEY,
        "LEADGATE_DATA_DIR": str(tmp_path),
        "LEADGATE_WORKER_POLL_DELAY": "0.02",
    }


async def test_leads_posted_while_the_worker_is_dead_are_delivered_after_restart(
    gateway: Gateway, redis_url: str, tmp_path: Path
) -> None:
    cipher = SecretBox.from_secret_key(TEST_SECRET_KEY)
    async with running_sandbox(SandboxConfig(webhooks=(WEBHOOK_ID,))) as sandbox:
        url = sandbox.webhook_url(WEBHOOK_ID)
        gateway.owner(
            "INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint) VALUES (%s, %s, 'sandbox')",
            [gateway.acme.tenant_id, cipher.encrypt(url)],
        )
        doomed = subprocess.Popen(  # noqa: ASYNC220 - started once; it is killed, not awaited
            [sys.executable, "-c", "from gateway.cli import main; main()", "worker"],
            env=worker_env(gateway, redis_url, tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)

        single = await gateway.post(json.dumps(lead_json(1)), key=gateway.acme.ingest)
        big_csv = LEAD_HEADER + "".join(
            f"LS-big-{n},Ann,Lee,ann.big{n}@example.com,\n" for n in range(60)
        )
        big = await gateway.post(big_csv, key=gateway.acme.ingest, content_type="text/csv")
        assert single.status_code == big.status_code == 202
        stored = gateway.owner(
            "SELECT count(*) FROM ingest_payload_chunks WHERE batch_id IN (%s, %s)",
            [single.json()["batch_id"], big.json()["batch_id"]],
        )
        assert stored == [(2,)], "both bodies are in PostgreSQL when the 202 arrives"
        await asyncio.sleep(1.0)
        waiting = gateway.owner(
            "SELECT count(*) FROM ingest_batches WHERE status = 'received' AND id IN (%s, %s)",
            [single.json()["batch_id"], big.json()["batch_id"]],
        )
        assert waiting == [(2,)], "nothing processes them while the worker is dead"

        deps = WorkerDeps(
            database=gateway.database,
            redis=redis_settings(redis_url),
            worker=WorkerSettings(poll_delay_s=0.02),
            cipher=cipher,
        )
        async with running_worker(deps):
            delivered = await wait_until(
                lambda: (
                    gateway.owner("SELECT count(*) FROM deliveries WHERE status = 'delivered'")[0][
                        0
                    ]
                    == 61
                ),
                timeout_s=30,
            )
        assert delivered
        async with httpx.AsyncClient(base_url=sandbox.base_url) as client:
            received = (await client.get("/_sandbox/received", params={"recent": 0})).json()
        assert received["total"] == 61
        assert received["duplicates"] == []


async def test_a_stored_batch_nobody_queued_is_recovered_by_the_sweep(
    gateway: Gateway, worker: Worker
) -> None:
    body = (LEAD_HEADER + "LS-lost-1,Ann,Lee,ann.lost@example.com,\n").encode()
    with psycopg.connect(gateway.database.app_conninfo()) as conn:
        # What a gateway that died right after its commit leaves: a batch and no job.
        batch_id, _ = store_batch(
            conn,
            tenant_id=gateway.acme.tenant_id,
            source="leadsource",
            stream=io.BytesIO(body),
            channel="api",
        )
    gateway.owner(
        "UPDATE ingest_batches SET created_at = now() - interval '2 minutes' WHERE id = %s",
        [batch_id],
    )

    async with open_resources(gateway.settings) as resources:
        queued = await recover_received_batches(resources)
        again = await recover_received_batches(resources)

    assert queued == 1
    assert again == 0, "a batch already queued is not queued twice"
    processed = await wait_until(
        lambda: (
            gateway.owner("SELECT status FROM ingest_batches WHERE id = %s", [batch_id])
            == [("done",)]
        ),
        timeout_s=15,
    )
    assert processed
