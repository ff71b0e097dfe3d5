"""Benchmark ``leadgate ingest`` (store raw bytes, parse, normalize, dedupe, COPY) against a
bare ``csv.reader`` pass and ``leadgate normalize``, per vendor, in one run.

    uv run python bench/ingest.py --rows 1000000 [--runs 3] [--vendor leadsource]

PostgreSQL is the machine's on 127.0.0.1:5432 when present, else an embedded one. Each
ingest run loads the file for a fresh tenant (re-ingesting the same file for the same
tenant is a no-op by design) into emptied tables, checkpointed first, so every run and
every vendor measures the same thing; ``--accumulate`` keeps what earlier runs loaded
instead (the leads table grows by a million rows a run, across vendors). Reported: rows/s
by wall time (median of ``--runs`` child processes), the ratio to the csv pass, and each
child's peak RSS. Floors: ingest >= 50,000 rows/s, peak RSS <= 250 MB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
sys.path.insert(0, str(BENCH_DIR))

import generate  # noqa: E402
from harness import child_env, owner, services  # noqa: E402
from normalize import Run, run_child  # noqa: E402

FLOOR_INGEST_ROWS_PER_SECOND = 50_000
FLOOR_RSS_MB = 250
# Emptied before each ingest run unless --accumulate; CASCADE reaches what references them.
TABLES = "ingest_batches, ingest_payload_chunks, leads, failed_records, deliveries"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vendor", action="append", choices=sorted(generate.VENDORS))
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument(
        "--accumulate", action="store_true", help="keep earlier runs' rows (a growing table)"
    )
    args = parser.parse_args()

    print(
        "| vendor | rows | csv rows/s | normalize rows/s | ingest rows/s | ingest/csv | ingest peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="leadgate-ingest-bench-") as tmp, ExitStack() as stack:
        scratch = Path(tmp)
        database, redis_url = stack.enter_context(
            services(scratch, name="lg_bench_load", redis_db=14)
        )
        env = child_env(database, redis_url, scratch)
        for vendor in args.vendor or list(generate.VENDORS):
            path = args.data_dir / f"{vendor}-{args.rows}.csv"
            if not path.exists():
                generate.write(vendor, args.rows, path)
            _, encoding, delimiter = generate.VENDORS[vendor]
            csv_runs: list[Run] = []
            normalize_runs: list[Run] = []
            ingest_runs: list[Run] = []
            for run in range(args.runs):
                csv_runs.append(
                    run_child(
                        [
                            sys.executable,
                            str(BENCH_DIR / "csv_pass.py"),
                            str(path),
                            encoding,
                            delimiter,
                        ]
                    )
                )
                normalize_runs.append(
                    run_child(
                        [
                            sys.executable,
                            "-m",
                            "pipeline.sources.command",
                            "--source",
                            vendor,
                            str(path),
                        ]
                    )
                )
                if not args.accumulate:
                    owner(database, f"TRUNCATE {TABLES} CASCADE")
                    owner(database, "CHECKPOINT")
                slug = f"bench-{vendor}-{run}"
                owner(database, "INSERT INTO tenants (slug, name) VALUES (%s, %s)", [slug, slug])
                ingest_runs.append(
                    run_child(
                        [
                            sys.executable,
                            "-c",
                            "from gateway.cli import main; main()",
                            "ingest",
                            "--tenant",
                            slug,
                            "--source",
                            vendor,
                            str(path),
                        ],
                        env=env,
                    )
                )
            csv_rate = args.rows / statistics.median(r.wall for r in csv_runs)
            normalize_rate = args.rows / statistics.median(r.wall for r in normalize_runs)
            ingest_rate = args.rows / statistics.median(r.wall for r in ingest_runs)
            rss = max(r.max_rss_mb for r in ingest_runs)
            print(
                f"| {vendor} | {args.rows:,} | {csv_rate:,.0f} | {normalize_rate:,.0f} | **{ingest_rate:,.0f}** | "
                f"{ingest_rate / csv_rate:.0%} | {rss:.0f} MB |",
                flush=True,
            )
            if ingest_rate < FLOOR_INGEST_ROWS_PER_SECOND:
                failures.append(
                    f"{vendor}: ingest {ingest_rate:,.0f} rows/s < {FLOOR_INGEST_ROWS_PER_SECOND:,}"
                )
            if rss > FLOOR_RSS_MB:
                failures.append(f"{vendor}: ingest peak RSS {rss:.0f} MB > {FLOOR_RSS_MB} MB")
    print("\nfloors: " + ("all met" if not failures else "NOT met: " + "; ".join(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
