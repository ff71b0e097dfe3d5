"""Cross-tenant aggregates for metrics, through SECURITY DEFINER functions (counts only,
never a row)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.db import Connection
from pipeline.core.queries import load_queries

__all__ = [
    "AttemptRow",
    "IngestRow",
    "delivery_attempt_totals",
    "delivery_backlog",
    "ingest_totals",
]

queries = load_queries("gateway.metrics")

# tenant, source, status, batches, ok, failed, duplicate, held
IngestRow = tuple[str, str, str, int, int, int, int, int]
# tenant, status class, latency bucket index, attempts, latency sum (ms)
AttemptRow = tuple[str, str, int, int, int]


async def ingest_totals(conn: Connection) -> list[IngestRow]:
    cur = await conn.execute(queries["ingest_totals"])
    return list(await cur.fetchall())


async def delivery_attempt_totals(
    conn: Connection, *, bounds_ms: Sequence[int]
) -> list[AttemptRow]:
    """``bucket`` is the number of ``bounds_ms`` at or below the attempt's latency."""
    cur = await conn.execute(queries["delivery_attempt_totals"], {"bounds_ms": list(bounds_ms)})
    return list(await cur.fetchall())


async def delivery_backlog(conn: Connection) -> tuple[int, float]:
    """Due pending deliveries across tenants, and the age in seconds of the oldest."""
    cur = await conn.execute(queries["delivery_backlog"])
    row = await cur.fetchone()
    assert row is not None
    return int(row[0]), float(row[1])
