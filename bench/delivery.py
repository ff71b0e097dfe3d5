"""Benchmark the delivery engine against the Bonzo sandbox on loopback.

    uv run python bench/delivery.py [--leads 5000] [--workers 2] [--runs 3]

Everything real: PostgreSQL (the machine's on 127.0.0.1:5432, else embedded), Redis
(127.0.0.1:6379 db 14, else embedded), the sandbox and ``--workers`` ``leadgate worker``
processes. In one run it measures:

1. baseline: one process posting similar payloads to the sandbox with the same HTTP
   client the workers use, 64 at a time, no database (what the HTTP path alone can do);
2. throughput: ``--leads`` leads ingested in one batch, from commit until every delivery
   is ``delivered`` (the sweeper dispatches them; every attempt is logged);
3. latency: 200 single-lead ingests, one every 50 ms, each queued after commit as the
   gateway does; received (ingest transaction start) -> Bonzo 2xx recorded, p50/p95/p99;
4. faults: ``--leads`` leads with 20 % 5xx and 10 % 429 (Retry-After 1 s) injected and a
   compressed retry schedule; every lead must end delivered or dead with a reason, and
   duplicate accepted posts per lead are counted.

Throughput is the median of ``--runs`` runs, each also as a ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from harness import (  # noqa: E402
    SECRET_KEY,
    child_env,
    free_port,
    leadgate,
    owner,
    percentile,
    services,
    wait_http,
)

from gateway.core.resources import redis_settings  # noqa: E402
from pipeline.core.settings import DatabaseSettings  # noqa: E402
from pipeline.delivery.http import create_http_client  # noqa: E402
from pipeline.delivery.jobs import enqueue_deliveries  # noqa: E402
from pipeline.intake.service import ingest  # noqa: E402
from pipeline.worker import create_queue  # noqa: E402
from tenant_auth.core.secretbox import SecretBox  # noqa: E402

WEBHOOK_ID = "b" * 32
FAST_SCHEDULE = '{"schedule_s": [0, 0.5, 1, 2, 3, 5, 8], "jitter": 0.2, "retry_after_min_s": 1, "retry_after_max_s": 5}'


def csv_of(n: int, tag: str) -> bytes:
    lines = ["Lead ID,First Name,Last Name,Email,Pri. Phone,City,State"]
    for i in range(n):
        lines.append(f"{tag}-{i},Ann{i % 97},Lee,{tag}.{i}@example.com,,Austin,TX")
    return ("\n".join(lines) + "\n").encode()


def wait_settled(
    database: DatabaseSettings, batch_id: uuid.UUID, total: int, timeout_s: float
) -> float:
    """Seconds until no delivery of the batch is pending."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        pending = owner(
            database,
            "SELECT count(*) FROM deliveries d JOIN leads l ON l.id = d.lead_id WHERE l.batch_id = %s AND d.status = 'pending'",
            [batch_id],
        )[0][0]
        if pending == 0:
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError(f"deliveries still pending after {timeout_s} s")


async def baseline(url: str, n: int, concurrency: int = 64) -> float:
    payload = {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "base@example.com",
        "external_id": "x",
        "notes": "bench",
    }
    semaphore = asyncio.Semaphore(concurrency)
    async with create_http_client() as client:

        async def one(i: int) -> None:
            async with semaphore:
                body = {**payload, "external_id": f"base-{i}", "email": f"base{i}@example.com"}
                (await client.post(url, json=body)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return n / (time.perf_counter() - started)


def load(database: DatabaseSettings, tenant_id: uuid.UUID, content: bytes) -> Any:
    with psycopg.connect(database.app_conninfo()) as conn:
        return ingest(
            conn,
            tenant_id=tenant_id,
            source="leadsource",
            stream=io.BytesIO(content),
            channel="api",
        )


async def latency_run(
    database: DatabaseSettings, redis_url: str, tenant_id: uuid.UUID, n: int = 200
) -> list[float]:
    redis = await create_queue(redis_settings(redis_url))
    batches = []
    try:
        for i in range(n):
            outcome = await asyncio.to_thread(
                load, database, tenant_id, csv_of(1, f"lat{i}-{uuid.uuid4().hex[:6]}")
            )
            await enqueue_deliveries(redis, tenant_id, outcome.delivery_ids)
            batches.append(outcome.batch.id)
            await asyncio.sleep(0.05)
    finally:
        await redis.aclose()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = owner(
            database,
            "SELECT extract(epoch FROM d.delivered_at - l.received_at) FROM deliveries d JOIN leads l ON l.id = d.lead_id "
            "WHERE l.batch_id = ANY(%s) AND d.status = 'delivered'",
            [batches],
        )
        if len(rows) == n:
            return sorted(float(r[0]) for r in rows)
        await asyncio.sleep(0.2)
    raise RuntimeError("latency leads were not all delivered within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="leadgate-bench-") as tmp, ExitStack() as stack:
        scratch = Path(tmp)
        database, redis_url = stack.enter_context(services(scratch, name="lg_bench", redis_db=14))
        env = child_env(database, redis_url, scratch)
        port = free_port()
        sandbox = leadgate(
            "bonzo-sandbox",
            "--port",
            str(port),
            "--webhook",
            WEBHOOK_ID,
            "--api-token",
            "bench",
            env=env,
        )
        stack.callback(sandbox.terminate)
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/")
        webhook = f"{base}/api/webhook/{WEBHOOK_ID}"
        cipher = SecretBox.from_secret_key(SECRET_KEY)
        tenant_id = owner(
            database, "INSERT INTO tenants (slug, name) VALUES ('bench', 'Bench') RETURNING id"
        )[0][0]
        owner(
            database,
            "INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint, max_concurrency, max_per_second) "
            "VALUES (%s, %s, 'sandbox', 64, 100000)",
            [tenant_id, cipher.encrypt(webhook)],
        )
        workers = [leadgate("worker", env=env) for _ in range(args.workers)]
        for worker in workers:
            stack.callback(worker.terminate)
        time.sleep(2)

        rates: list[float] = []
        baselines: list[float] = []
        for run in range(args.runs):
            httpx.post(base + "/_sandbox/reset")
            baselines.append(asyncio.run(baseline(webhook, args.leads)))
            outcome = load(
                database, tenant_id, csv_of(args.leads, f"tp{run}-{uuid.uuid4().hex[:6]}")
            )
            seconds = wait_settled(database, outcome.batch.id, args.leads, timeout_s=600)
            delivered = owner(
                database,
                "SELECT count(*) FROM deliveries d JOIN leads l ON l.id = d.lead_id WHERE l.batch_id = %s AND d.status = 'delivered'",
                [outcome.batch.id],
            )[0][0]
            attempts = owner(
                database,
                "SELECT count(*) FROM delivery_attempts a JOIN leads l ON l.id = a.lead_id WHERE l.batch_id = %s",
                [outcome.batch.id],
            )[0][0]
            rates.append(delivered / seconds)
            print(
                f"run {run + 1}: baseline {baselines[-1]:.0f} posts/s; {delivered} delivered, {attempts} attempts logged in {seconds:.2f} s = {delivered / seconds:.0f} deliveries/s",
                flush=True,
            )

        latencies = asyncio.run(latency_run(database, redis_url, tenant_id))

        httpx.post(base + "/_sandbox/reset")
        httpx.put(
            base + "/_sandbox/faults",
            json={"fail_rate": 0.2, "rate_limit_rate": 0.1, "retry_after": 1, "seed": 7},
        ).raise_for_status()
        owner(database, "UPDATE bonzo_endpoints SET retry_schedule = %s", [FAST_SCHEDULE])
        faulty = load(database, tenant_id, csv_of(args.leads, f"fault-{uuid.uuid4().hex[:6]}"))
        fault_seconds = wait_settled(database, faulty.batch.id, args.leads, timeout_s=600)
        by_status = dict(
            owner(
                database,
                "SELECT d.status, count(*) FROM deliveries d JOIN leads l ON l.id = d.lead_id WHERE l.batch_id = %s GROUP BY 1",
                [faulty.batch.id],
            )
        )
        dead_without_reason = owner(
            database,
            "SELECT count(*) FROM deliveries d JOIN leads l ON l.id = d.lead_id WHERE l.batch_id = %s AND d.status IN ('dead', 'failed') AND d.last_error IS NULL",
            [faulty.batch.id],
        )[0][0]
        received = httpx.get(base + "/_sandbox/received", params={"recent": 0}).json()
        duplicates = len(received["duplicates"])

    median_rate = statistics.median(rates)
    median_base = statistics.median(baselines)
    print()
    print(
        f"throughput: median {median_rate:.0f} deliveries/s over {args.runs} runs of {args.leads} (floor 1000/s); "
        f"baseline bare posts {median_base:.0f}/s; ratio {median_rate / median_base:.2f}"
    )
    print(
        f"latency received -> 2xx (200 single leads, queued after commit): p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms (p95 floor 1000 ms)"
    )
    print(
        f"faults (20 % 5xx, 10 % 429): {by_status} in {fault_seconds:.1f} s; ended without a reason: {dead_without_reason}; "
        f"leads accepted more than once: {duplicates} ({duplicates / args.leads:.3%}, ceiling 0.1 %)"
    )
    ok = (
        median_rate >= 1000
        and percentile(latencies, 0.95) <= 1.0
        and dead_without_reason == 0
        and by_status.get("pending", 0) == 0
        and duplicates / args.leads <= 0.001
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
