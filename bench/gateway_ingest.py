"""Benchmark single-lead ``POST /ingest/{source}`` (durable before the 202) against a
Litestar hello-world on the same machine, in the same run, with the same load.

    uv run python bench/gateway_ingest.py [--runs 3] [--seconds 10] [--connections 16]

Everything real: PostgreSQL (the machine's on 127.0.0.1:5432, else embedded), Redis
(127.0.0.1:6379 db 13, flushed before and after, else embedded), ``leadgate serve`` as one uvicorn process, and the
hello-world (one POST handler answering 202 with a small JSON body) as one uvicorn process
with the same uvicorn options. The load generator is ``wrk`` (Debian package; installed
with apt-get when missing) on loopback, one thread, ``--connections`` keep-alive
connections; every ingest request carries a different lead (a Lua script numbers them),
so each one is a new batch stored and committed before its 202 (and its processing
queued for the worker). No worker runs during these runs: processing is the worker's, in
its own process; the backlog they leave is reported, not drained.

Before the load runs, a speed check with one ``leadgate worker`` running: ``--singles``
single-lead posts, one every 100 ms, each timed from send to 202 and from the batch's
commit to its ``completed_at`` (parsed, normalized, loaded, delivery row written).

Last, the cost of a ``GET /metrics`` scrape (median of 5) with the batches the runs left
plus ``--attempts`` synthetic delivery attempts in the log.

Runs alternate hello-world and ingest; the figures are the medians of ``--runs`` runs:
requests per second of each, their ratio (floor 0.4), and the ingest p99 latency at that
rate (ceiling 50 ms). Afterwards it checks that every acknowledged request is a stored
batch, and reports how many were already processed when the load stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from harness import SECRET_KEY, child_env, free_port, owner, percentile, services, wait_http  # noqa: E402

from pipeline.core.settings import DatabaseSettings  # noqa: E402
from tenant_auth.apikeys.service import create_api_key  # noqa: E402
from tenant_auth.core.settings import AuthSettings  # noqa: E402
from tenant_auth.registry.registry import open_registry  # noqa: E402
from tenant_auth.registry.service import register_tenant  # noqa: E402

RATIO_FLOOR = 0.4
P99_CEILING_MS = 50.0

HELLO_APP = """
from litestar import Litestar, post

@post("/ingest/{source:str}", status_code=202)
async def hello(source: str) -> dict[str, str]:
    return {"batch_id": "00000000-0000-4000-8000-000000000000", "status_url": source}

app = Litestar([hello], logging_config=None)
"""

# wrk: a new lead per request (thread id and counter make it unique across runs).
WRK_SCRIPT = """
local counter = 0
local tag = "%(tag)s"
request = function()
  counter = counter + 1
  local body = string.format(
    '{"Lead ID":"LS-%%s-%%d","First Name":"Mary","Last Name":"Major",' ..
    '"Email":"mary.%%s.%%d@example.com","Pri. Phone":"555-01%%02d-%%04d"}',
    tag, counter, tag, counter, counter %% 100, counter %% 10000)
  return wrk.format("POST", "/ingest/leadsource", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %(key)s",
  }, body)
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


async def issue_key(scratch: Path, tenant_id: uuid.UUID) -> str:
    auth = AuthSettings(
        data_dir=scratch,
        registry_url=f"file:{scratch / 'registry.db'}",
        registry_token=None,
        secret_key=SECRET_KEY,
    )
    async with open_registry(auth) as registry:
        tenant = await register_tenant(registry, slug="bench", tenant_id=tenant_id)
        issued = await create_api_key(
            registry, tenant, name="bench", scopes=["ingest"], actor="bench"
        )
        return issued.key.reveal()


def run_wrk(
    wrk: str, url: str, script: Path, *, seconds: int, connections: int
) -> tuple[float, float, int]:
    """Requests per second, p99 latency in ms, and non-2xx responses."""
    done = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_value, p99_unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99_ms = float(p99_value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, p99_ms, int(errors.group(1)) if errors else 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(database: DatabaseSettings) -> float:
    """CPU time so far of the PostgreSQL backends serving the bench database (the
    gateway's connections while it is the only client), this query's own excepted."""
    pids = owner(
        database,
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    total = 0.0
    for (pid,) in pids:
        try:
            total += cpu_seconds(pid)
        except FileNotFoundError:  # a connection closed meanwhile
            continue
    return total


def speed_check(
    database: DatabaseSettings, url: str, key: str, count: int
) -> tuple[list[float], list[float]]:
    """Milliseconds to the 202, and from commit to processed, for single-lead posts."""
    answers: list[float] = []
    batch_ids: list[str] = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for _ in range(count):
            tag = uuid.uuid4().hex[:8]
            lead = {
                "Lead ID": f"LS-speed-{tag}",
                "First Name": "Ann",
                "Email": f"ann.{tag}@example.com",
            }
            started = time.perf_counter()
            response = client.post(
                "/ingest/leadsource", json=lead, headers={"authorization": f"Bearer {key}"}
            )
            answers.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            batch_ids.append(response.json()["batch_id"])
            time.sleep(0.1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = owner(
            database,
            "SELECT extract(epoch FROM completed_at - created_at) * 1000 FROM ingest_batches "
            "WHERE id = ANY(%s::uuid[]) AND status = 'done'",
            [batch_ids],
        )
        if len(rows) == count:
            return answers, [float(row[0]) for row in rows]
        time.sleep(0.2)
    raise RuntimeError("single-lead batches were not all processed within 30 s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--singles", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=200_000)
    args = parser.parse_args()
    wrk = ensure_wrk()

    with tempfile.TemporaryDirectory(prefix="leadgate-bench-ingest-") as tmp, ExitStack() as stack:
        scratch = Path(tmp)
        database, redis_url = stack.enter_context(
            services(scratch, name="lg_bench_ingest", redis_db=13)
        )
        tenant_id = owner(
            database, "INSERT INTO tenants (slug, name) VALUES ('bench', 'Bench') RETURNING id"
        )[0][0]
        key = asyncio.run(issue_key(scratch, tenant_id))

        gateway_port, hello_port = free_port(), free_port()
        env = {
            **child_env(database, redis_url, scratch),
            "LEADGATE_PORT": str(gateway_port),
            "LEADGATE_INGEST_RATE_PER_S": "1000000",
        }
        gateway = subprocess.Popen(
            [sys.executable, "-c", "from gateway.cli import main; main()", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(gateway.wait, 30)
        stack.callback(gateway.terminate)
        (scratch / "hello.py").write_text(HELLO_APP)
        hello = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hello:app",
                "--port",
                str(hello_port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--no-server-header",
            ],
            cwd=scratch,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(hello.wait, 30)
        stack.callback(hello.terminate)
        wait_http(f"http://127.0.0.1:{gateway_port}/healthz")
        wait_http(f"http://127.0.0.1:{hello_port}/ingest/x")

        worker = subprocess.Popen(
            [sys.executable, "-c", "from gateway.cli import main; main()", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)
        try:
            answers, processed_ms = speed_check(
                database, f"http://127.0.0.1:{gateway_port}", key, args.singles
            )
        finally:
            worker.terminate()
            worker.wait(30)
        print(
            f"single leads, one every 100 ms, worker running: 202 in p50 {percentile(answers, 0.5):.1f} ms / "
            f"p99 {percentile(answers, 0.99):.1f} ms; committed -> processed in p50 "
            f"{percentile(processed_ms, 0.5):.0f} ms / p99 {percentile(processed_ms, 0.99):.0f} ms / "
            f"max {max(processed_ms):.0f} ms",
            flush=True,
        )

        hello_script = scratch / "hello.lua"
        hello_script.write_text(WRK_SCRIPT % {"tag": "hello", "key": key})
        hellos: list[float] = []
        ingests: list[float] = []
        p99s: list[float] = []
        errors = 0
        for run in range(args.runs):
            ingest_script = scratch / f"ingest{run}.lua"
            ingest_script.write_text(
                WRK_SCRIPT % {"tag": f"r{run}-{uuid.uuid4().hex[:6]}", "key": key}
            )
            hello_rate, hello_p99, _ = run_wrk(
                wrk,
                f"http://127.0.0.1:{hello_port}",
                hello_script,
                seconds=args.seconds,
                connections=args.connections,
            )
            cpu_before = cpu_seconds(gateway.pid)
            pg_before = backend_cpu_seconds(database)
            rate, p99, failed = run_wrk(
                wrk,
                f"http://127.0.0.1:{gateway_port}",
                ingest_script,
                seconds=args.seconds,
                connections=args.connections,
            )
            cpu = (cpu_seconds(gateway.pid) - cpu_before) / args.seconds
            pg_cpu = (backend_cpu_seconds(database) - pg_before) / args.seconds
            errors += failed
            hellos.append(hello_rate)
            ingests.append(rate)
            p99s.append(p99)
            print(
                f"run {run + 1}: hello-world {hello_rate:8.0f} req/s (p99 {hello_p99:.1f} ms) | "
                f"ingest {rate:8.0f} req/s (p99 {p99:.1f} ms, non-2xx {failed}, gateway CPU {cpu:.2f} cores, "
                f"{cpu / rate * 1e6:.0f} us/request; PostgreSQL {pg_cpu / rate * 1e6:.0f} us/request) | "
                f"ratio {rate / hello_rate:.3f}",
                flush=True,
            )
            time.sleep(2)  # let PostgreSQL settle (checkpoints, autovacuum) between runs

        stored = owner(database, "SELECT count(*) FROM ingest_batches")[0][0] - args.singles
        done = owner(database, "SELECT count(*) FROM ingest_batches WHERE status = 'done'")[0][0]
        owner(
            database,
            "INSERT INTO delivery_attempts (tenant_id, delivery_id, lead_id, attempt_number, trigger,"
            " endpoint_hint, request_payload, status_code, latency_ms, outcome)"
            " SELECT %s, gen_random_uuid(), gen_random_uuid(), 1, 'auto', 'bench', '{}',"
            " (ARRAY[200, 200, 200, 422, 503])[1 + i %% 5], 20 + i %% 3000, 'delivered'"
            " FROM generate_series(1, %s) AS i",
            [tenant_id, args.attempts],
        )
        scrapes = []
        for _ in range(5):
            started = time.perf_counter()
            httpx.get(f"http://127.0.0.1:{gateway_port}/metrics", timeout=60).raise_for_status()
            scrapes.append((time.perf_counter() - started) * 1000)
        print(
            f"GET /metrics with {stored + args.singles} batches and {args.attempts} attempts: "
            f"median {statistics.median(scrapes):.0f} ms"
        )
        hello_median = statistics.median(hellos)
        ingest_median = statistics.median(ingests)
        p99_median = statistics.median(p99s)
        ratio = ingest_median / hello_median
        print(f"hello-world median: {hello_median:.0f} req/s")
        print(f"ingest median:      {ingest_median:.0f} req/s, p99 {p99_median:.1f} ms")
        print(f"ratio:              {ratio:.3f} (floor {RATIO_FLOOR})")
        print(
            f"load batches stored: {stored} (left for the worker: {stored - (done - args.singles)}), non-2xx: {errors}"
        )
        ok = (
            ratio >= RATIO_FLOOR
            and p99_median <= P99_CEILING_MS
            and errors == 0
            and max(processed_ms) < 1000
        )
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
