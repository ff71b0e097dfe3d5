"""PostgreSQL's CPU per ingested row: the backend's utime + stime (Linux ``/proc``) around
``store_batch`` (the raw bytes) and ``process_batch`` (staging COPY, dedupe, leads,
failed records, the first chunk's outbox rows), with ``leadgate ingest``'s code run in this
process; then, apart, the outbox rows the load left to the delivery sweeper, made at once.

    uv run python bench/ingest_pg.py --rows 200000 [--runs 3] [--vendor leadsource]

Needs PostgreSQL on this machine (the backend's ``/proc/<pid>/stat`` is read). Each run
loads the file for a fresh tenant into emptied tables, so runs start from the same state.
Reported per vendor: the median over runs of the backend's µs per row for each step and
in all, this process's CPU (normalizing on the read-ahead thread included), wall time,
and the batch's counts. Ceilings: PostgreSQL <= 15 µs/row (experian, transunion), 18
(leadsource).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

import generate  # noqa: E402
from harness import owner, services  # noqa: E402

from pipeline.intake.service import process_batch, store_batch  # noqa: E402
from pipeline.tenants.repository import tenant_id_for_slug_sync  # noqa: E402

CEILING_US_PER_ROW = {"experian": 15.0, "transunion": 15.0, "leadsource": 18.0}
# Emptied before each run; CASCADE reaches what references them (journey, events).
TABLES = "ingest_batches, ingest_payload_chunks, leads, failed_records, deliveries"


class Run(NamedTuple):
    store_pg_us: float
    process_pg_us: float
    sweep_pg_us: float
    swept: int
    python_us: float
    wall_s: float
    counts: str


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(conninfo: str, slug: str, vendor: str, path: Path, rows: int) -> Run:
    with psycopg.connect(conninfo) as conn, path.open("rb") as stream:
        tenant_id = tenant_id_for_slug_sync(conn, slug=slug)
        assert tenant_id is not None
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        conn.commit()
        wall, own, pg = time.perf_counter(), time.process_time(), backend_cpu_seconds(pid)
        batch_id, _ = store_batch(
            conn, tenant_id=tenant_id, source=vendor, stream=stream, channel="cli"
        )
        stored = backend_cpu_seconds(pid)
        stream.seek(0)
        outcome = process_batch(conn, tenant_id=tenant_id, batch_id=batch_id, stream=stream)
        processed = backend_cpu_seconds(pid)
        own = time.process_time() - own
        wall = time.perf_counter() - wall
        # What the load left to the delivery sweeper, done at once (it is paced in use).
        with conn.transaction():
            row = conn.execute(
                "SELECT count(*) FROM expand_deferred_outbox(%s, %s)", [rows, rows]
            ).fetchone()
        expanded = int(row[0]) if row else 0
        swept = backend_cpu_seconds(pid)
    b = outcome.batch
    return Run(
        store_pg_us=(stored - pg) / rows * 1e6,
        process_pg_us=(processed - stored) / rows * 1e6,
        sweep_pg_us=(swept - processed) / expanded * 1e6 if expanded else 0.0,
        swept=expanded,
        python_us=own / rows * 1e6,
        wall_s=wall,
        counts=f"{b.ok_count} ok, {b.duplicate_count} dup, {b.held_count} held, {b.failed_count} failed",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vendor", action="append", choices=sorted(generate.VENDORS))
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    args = parser.parse_args()

    print(
        "| vendor | rows | PostgreSQL µs/row: store | process | total (runs) "
        "| Python CPU µs/row | rows/s | counts | later, by the sweeper |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    over: list[str] = []
    with tempfile.TemporaryDirectory(prefix="leadgate-ingest-pg-") as tmp, ExitStack() as stack:
        database, _ = stack.enter_context(services(Path(tmp), name="lg_bench_pg", redis_db=13))
        conninfo = database.app_conninfo()
        for vendor in args.vendor or list(generate.VENDORS):
            path = args.data_dir / f"{vendor}-{args.rows}.csv"
            if not path.exists():
                generate.write(vendor, args.rows, path)
            runs: list[Run] = []
            for run in range(args.runs):
                owner(database, f"TRUNCATE {TABLES} CASCADE")
                owner(database, "CHECKPOINT")
                slug = f"bench-{vendor}-{run}"
                owner(database, "INSERT INTO tenants (slug, name) VALUES (%s, %s)", [slug, slug])
                runs.append(one_run(conninfo, slug, vendor, path, args.rows))
            totals = [r.store_pg_us + r.process_pg_us for r in runs]
            total = statistics.median(totals)
            print(
                f"| {vendor} | {args.rows:,} | {statistics.median(r.store_pg_us for r in runs):.1f} "
                f"| {statistics.median(r.process_pg_us for r in runs):.1f} "
                f"| **{total:.1f}** ({' / '.join(f'{t:.1f}' for t in totals)}) "
                f"| {statistics.median(r.python_us for r in runs):.1f} "
                f"| {args.rows / statistics.median(r.wall_s for r in runs):,.0f} "
                f"| {runs[0].counts} "
                f"| {runs[0].swept:,} outbox rows, "
                f"{statistics.median(r.sweep_pg_us for r in runs):.1f} µs each |",
                flush=True,
            )
            if total > CEILING_US_PER_ROW[vendor]:
                over.append(f"{vendor} {total:.1f} > {CEILING_US_PER_ROW[vendor]} µs/row")
    print("\nceilings: " + ("all met" if not over else "NOT met: " + "; ".join(over)))


if __name__ == "__main__":
    main()
