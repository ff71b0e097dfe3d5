"""The Python side of ``leadgate ingest``: CPU time per row of ``staged_chunks``.

Reads a bench file through the source adapter and turns it into the staging tables'
binary COPY data, as the ingest read-ahead thread does, without loading it. Prints the
median CPU microseconds per record of several runs, for the compiled path and, with
``--reference``, the reference path (every record through ``normalize_item`` and
psycopg's dumpers). ``--check`` also asserts that both paths give the same bytes.

    uv run python bench/ingest_stage.py experian transunion leadsource --rows 200000
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from uuid import UUID

import psycopg

from pipeline.intake.links import batch_lead_ids, new_lead_id_base
from pipeline.intake.service import LOAD_CHUNK_RECORDS
from pipeline.intake.staging import StagedChunk, staged_chunks
from pipeline.normalize import NormalizeConfig
from pipeline.sources import get_source

DATA = Path(__file__).resolve().parent / "data"


def staged(
    cursor: psycopg.Cursor[tuple[object, ...]],
    vendor: str,
    rows: int,
    *,
    compiled: bool,
    base: UUID | None = None,
) -> tuple[float, list[StagedChunk]]:
    """CPU seconds to stage the file, and its chunks."""
    with (DATA / f"{vendor}-{rows}.csv").open("rb") as stream:
        start = time.process_time()
        chunks = list(
            staged_chunks(
                cursor,
                get_source(vendor),
                stream,
                config=NormalizeConfig(),
                size=LOAD_CHUNK_RECORDS,
                compiled=compiled,
                lead_ids=batch_lead_ids(base or new_lead_id_base()),
            )
        )
        return time.process_time() - start, chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vendors", nargs="+", choices=["experian", "transunion", "leadsource"])
    parser.add_argument("--rows", type=int, default=200_000, choices=[200_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reference", action="store_true", help="time the reference path too")
    parser.add_argument("--check", action="store_true", help="compare both paths' bytes")
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1/postgres")
    args = parser.parse_args()
    with psycopg.connect(args.dsn) as conn:
        cursor = conn.cursor()
        for vendor in args.vendors:
            paths = [True, False] if args.reference else [True]
            for compiled in paths:
                times = []
                for _ in range(args.runs):
                    seconds, chunks = staged(cursor, vendor, args.rows, compiled=compiled)
                    times.append(seconds)
                records = sum(chunk.lead_count + chunk.failure_count for chunk in chunks)
                per_row = statistics.median(times) / records * 1e6
                label = "compiled" if compiled else "reference"
                print(
                    f"{vendor:<11} {label:<9} {records} records  {per_row:5.2f} us/row CPU (median of {args.runs})"
                )
            if args.check:
                base = new_lead_id_base()
                mine = staged(cursor, vendor, args.rows, compiled=True, base=base)[1]
                theirs = staged(cursor, vendor, args.rows, compiled=False, base=base)[1]
                assert mine == theirs, f"{vendor}: the compiled path's COPY data differs"
                print(f"{vendor:<11} same bytes on both paths")


if __name__ == "__main__":
    main()
