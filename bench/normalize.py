"""Benchmark ``leadgate normalize`` against a bare ``csv.reader`` pass, per vendor.

    uv run python bench/normalize.py --rows 1000000

For each vendor: generate ``bench/data/<vendor>-<rows>.csv`` if it is missing (see
``bench/generate.py``), then run, ``--runs`` times each, as child processes:

- a bare ``csv.reader`` pass over the file (decoding included, nothing else: ``csv_pass.py``);
- ``python -m pipeline.sources.command --source <vendor> FILE`` with stdout to /dev/null.

Reported per vendor: median rows/s by wall time, the normalize/csv ratio of those, rows
per CPU-second of normalize (what it would do on an idle core), and the peak RSS of each
child (``ru_maxrss`` from ``os.wait4``), checked against the floors. ``--profile`` adds
one cProfile run per vendor and prints where the time goes, grouped by package.

``--stages`` instead times, in this process and without a profiler, the reference pipeline
cut after each stage (decode + csv, + adapter mapping, + rules, + output), median CPU time
of ``--runs`` passes, and prints each stage's cost in microseconds per row; then the
compiled path the command takes (decode + csv + line renderer + output) as a whole.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import generate

from pipeline.core.records import RawRecord
from pipeline.normalize import DEFAULT_CONFIG, normalize_record
from pipeline.sources import get_source, speedups
from pipeline.sources.encoding import open_text
from pipeline.sources.lines import LineChunk, normalize_stream
from pipeline.sources.output import ResultWriter

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer as Buffer

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
FLOOR_ROWS_PER_SECOND = 100_000
FLOOR_RATIO = 0.25
FLOOR_RSS_MB = 250


class Run(NamedTuple):
    wall: float
    cpu: float
    max_rss_mb: float


def run_child(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a child with stdout to /dev/null; its wall time, CPU time and peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if env else None,
        env=env,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{args} exited with {child.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure(vendor: str, path: Path, runs: int) -> tuple[list[Run], list[Run]]:
    _, encoding, delimiter = generate.VENDORS[vendor]
    bare = [sys.executable, str(BENCH_DIR / "csv_pass.py"), str(path), encoding, delimiter]
    normalize = [sys.executable, "-m", "pipeline.sources.command", "--source", vendor, str(path)]
    csv_runs, normalize_runs = [], []
    for _ in range(runs):
        csv_runs.append(run_child(bare))
        normalize_runs.append(run_child(normalize))
    return csv_runs, normalize_runs


class _NullSink(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Buffer) -> int:
        return memoryview(data).nbytes


def _through_csv(vendor: str, path: Path) -> int:
    delimiter = generate.VENDORS[vendor][2]
    with path.open("rb") as file:
        return sum(1 for _ in csv.reader(open_text(file).text, delimiter=delimiter))


def _through_adapter(vendor: str, path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for _ in get_source(vendor).read(file))


def _through_rules(vendor: str, path: Path) -> int:
    count = 0
    with path.open("rb") as file:
        for item in get_source(vendor).read(file):
            if isinstance(item, RawRecord):
                normalize_record(item)
            count += 1
    return count


def _through_output(vendor: str, path: Path) -> int:
    count = 0
    writer = ResultWriter(io.BufferedWriter(_NullSink()))
    with path.open("rb") as file:
        for item in get_source(vendor).read(file):
            writer.write(normalize_record(item) if isinstance(item, RawRecord) else item)
            count += 1
    writer.flush()
    return count


def _through_compiled(vendor: str, path: Path) -> int:
    count = 0
    writer = ResultWriter(io.BufferedWriter(_NullSink()))
    with path.open("rb") as file:
        for part in normalize_stream(get_source(vendor), file, config=DEFAULT_CONFIG):
            if isinstance(part, LineChunk):
                writer.write_lines(part.lines)
                count += len(part.lines)
            else:
                writer.write(part)
                count += 1
    writer.flush()
    return count


STAGES = (
    ("decode + csv parse", _through_csv),
    ("adapter: map to RawRecord", _through_adapter),
    ("rules: normalize_record", _through_rules),
    ("output: build line, encode, write", _through_output),
)


def stages(vendor: str, path: Path, runs: int) -> None:
    """Cost of each stage: the difference between the pipeline cut after it and before it."""
    print(f"\n{vendor} ({path.name}), median CPU of {runs} runs, microseconds per row:")
    previous = 0.0
    for label, through in STAGES:
        times = []
        for _ in range(runs):
            started = time.process_time()
            rows = through(vendor, path)
            times.append((time.process_time() - started) / rows * 1e6)
        cumulative = statistics.median(times)
        print(f"  {label:36s} {cumulative - previous:6.2f}   (cumulative {cumulative:6.2f})")
        previous = cumulative
    compiled = statistics.median(_cpu_per_row(_through_compiled, vendor, path) for _ in range(runs))
    print(f"  {'compiled path (what the command runs)':36s} {compiled:6.2f}   (whole pipeline)")


def _cpu_per_row(through: Callable[[str, Path], int], vendor: str, path: Path) -> float:
    started = time.process_time()
    rows = through(vendor, path)
    return (time.process_time() - started) / rows * 1e6


def _group(filename: str) -> str:
    if "pipeline/normalize" in filename:
        return "rules (pipeline/normalize)"
    if "pipeline/sources/output" in filename:
        return "output (build line, encode, write)"
    if any(
        f"pipeline/sources/{name}" in filename
        for name in ("linebuilder", "fragments", "columns", "lines")
    ):
        return "compiled path (render lines)"
    if "pipeline/sources/command" in filename:
        return "command loop"
    if "pipeline/sources" in filename or filename.startswith("<row mapper"):
        return "adapter (decode, csv parse, map)"
    return "other (startup, stdlib)"


def profile(vendor: str, path: Path) -> None:
    """One normalize run under cProfile, own time grouped by where the code lives.

    Time in C functions (dict building, csv's next row, msgspec) goes to the group of the
    Python function that called them, so "adapter" includes parsing done by csv in C.
    """
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "profile"
        command = ["-m", "pipeline.sources.command", "--source", vendor, str(path)]
        run_child([sys.executable, "-m", "cProfile", "-o", str(out), *command])
        stats = pstats.Stats(str(out))
    groups: dict[str, float] = defaultdict(float)
    entries = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, own, _, callers) in entries.items():
        if filename != "~" or not callers:
            groups[_group(filename)] += own
            continue
        for (caller_file, _, _), (_, _, caller_own, _) in callers.items():
            groups[_group(caller_file)] += caller_own
    total = sum(groups.values())
    print(f"\n{vendor}: own time under cProfile, {total:.1f} s (profiling inflates it)")
    for group, seconds in sorted(groups.items(), key=lambda item: -item[1]):
        print(f"  {group:40s} {seconds:7.2f} s  {seconds / total:6.1%}")
    stats.sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vendor", action="append", choices=sorted(generate.VENDORS))
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    if args.stages:
        for vendor in args.vendor or list(generate.VENDORS):
            path = args.data_dir / f"{vendor}-{args.rows}.csv"
            if not path.exists():
                generate.write(vendor, args.rows, path)
            stages(vendor, path, args.runs)
        return

    # The child processes import the same tree: they run with the C helpers or without.
    helpers = "built" if speedups.NATIVE is not None else "not built: pure Python"
    print(f"C helpers (pipeline/sources/_speedups.c): {helpers}\n")
    columns = (
        "vendor", "rows", "csv rows/s", "normalize rows/s", "ratio",
        "normalize rows/CPU-s", "csv peak RSS", "normalize peak RSS",
    )  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|---|")
    failures: list[str] = []
    for vendor in args.vendor or list(generate.VENDORS):
        path = args.data_dir / f"{vendor}-{args.rows}.csv"
        if not path.exists():
            generate.write(vendor, args.rows, path)
        csv_runs, normalize_runs = measure(vendor, path, args.runs)
        csv_rate = args.rows / statistics.median(run.wall for run in csv_runs)
        rate = args.rows / statistics.median(run.wall for run in normalize_runs)
        cpu = statistics.median(run.cpu for run in normalize_runs)
        csv_rss = max(run.max_rss_mb for run in csv_runs)
        rss = max(run.max_rss_mb for run in normalize_runs)
        ratio = rate / csv_rate
        print(
            f"| {vendor} | {args.rows:,} | {csv_rate:,.0f} | {rate:,.0f} | {ratio:.0%} | "
            f"{args.rows / cpu:,.0f} | {csv_rss:.0f} MB | {rss:.0f} MB |",
            flush=True,
        )
        if rate < FLOOR_ROWS_PER_SECOND:
            failures.append(f"{vendor}: {rate:,.0f} rows/s < {FLOOR_ROWS_PER_SECOND:,}")
        if ratio < FLOOR_RATIO:
            failures.append(f"{vendor}: ratio {ratio:.0%} < {FLOOR_RATIO:.0%}")
        if rss > FLOOR_RSS_MB:
            failures.append(f"{vendor}: peak RSS {rss:.0f} MB > {FLOOR_RSS_MB} MB")
        if args.profile:
            profile(vendor, path)
    print("\nfloors: " + ("all met" if not failures else "NOT met: " + "; ".join(failures)))


if __name__ == "__main__":
    main()
