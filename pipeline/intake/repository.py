"""Intake data access (blocking psycopg: bulk loads run off the event loop)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from pipeline.core.queries import load_queries
from pipeline.intake.schemas import BatchCounts, Channel, IngestBatch

__all__ = [
    "StagedLead",
    "clear_staging",
    "copy_staged",
    "create_staging_tables",
    "failed_export_columns",
    "failed_records_for_export",
    "find_batch_by_content",
    "finish_batch",
    "get_batch",
    "insert_batch",
    "insert_payload_chunk",
    "load_staged",
    "lock_batch_for_processing",
    "lock_tenant_dedupe",
    "payload_chunk",
    "reject_batch",
    "tenant_intake_settings",
]

queries = load_queries("pipeline.intake")
Conn = psycopg.Connection[Any]

# record_number, source_record_id, phone, email, hold_reason, doc, warnings, raw
StagedLead = tuple[int, str | None, str | None, str | None, str | None, str, str, str]
# record_number, errors, raw
StagedFailure = tuple[int, str, str]
_LEAD_STAGING_TYPES = ["int4", "text", "text", "text", "text", "text", "text", "text"]
_FAILED_STAGING_TYPES = ["int4", "text", "text"]


def tenant_intake_settings(
    conn: Conn, *, tenant_id: UUID
) -> tuple[timedelta, str | None, dict[str, int] | None]:
    row = conn.execute(queries["tenant_intake_settings"], {"tenant_id": tenant_id}).fetchone()
    if row is None:
        raise LookupError(f"tenant {tenant_id} is not visible in this transaction")
    return row[0], row[1], row[2]


def insert_batch(
    conn: Conn,
    *,
    tenant_id: UUID,
    source: str,
    channel: Channel,
    filename: str | None,
    content_type: str | None,
    content_sha256: str,
    byte_size: int,
    mapping: dict[str, Any] | None,
) -> UUID | None:
    """The new batch's id, or ``None`` when these bytes from this source already exist."""
    row = conn.execute(
        queries["insert_batch"],
        {
            "tenant_id": tenant_id,
            "source": source,
            "channel": channel,
            "filename": filename,
            "content_type": content_type,
            "content_sha256": content_sha256,
            "byte_size": byte_size,
            "mapping": None if mapping is None else Jsonb(mapping),
        },
    ).fetchone()
    return None if row is None else row[0]


def find_batch_by_content(
    conn: Conn, *, tenant_id: UUID, source: str, content_sha256: str
) -> UUID | None:
    row = conn.execute(
        queries["find_batch_by_content"],
        {"tenant_id": tenant_id, "source": source, "content_sha256": content_sha256},
    ).fetchone()
    return None if row is None else row[0]


def get_batch(conn: Conn, *, tenant_id: UUID, batch_id: UUID) -> IngestBatch | None:
    cur = conn.cursor(row_factory=dict_row)
    row = cur.execute(
        queries["get_batch"], {"tenant_id": tenant_id, "batch_id": batch_id}
    ).fetchone()
    return None if row is None else msgspec.convert(row, IngestBatch)


def lock_batch_for_processing(conn: Conn, *, tenant_id: UUID, batch_id: UUID) -> str | None:
    row = conn.execute(
        queries["lock_batch_for_processing"], {"tenant_id": tenant_id, "batch_id": batch_id}
    ).fetchone()
    return None if row is None else str(row[0])


def insert_payload_chunk(
    conn: Conn, *, tenant_id: UUID, batch_id: UUID, seq: int, data: bytes
) -> None:
    conn.execute(
        queries["insert_payload_chunk"],
        {"tenant_id": tenant_id, "batch_id": batch_id, "seq": seq, "data": data},
    )


def payload_chunk(conn: Conn, *, tenant_id: UUID, batch_id: UUID, seq: int) -> bytes | None:
    row = conn.execute(
        queries["payload_chunk"], {"tenant_id": tenant_id, "batch_id": batch_id, "seq": seq}
    ).fetchone()
    return None if row is None else bytes(row[0])


def create_staging_tables(conn: Conn) -> None:
    conn.execute(queries["create_staging_tables"])


def lock_tenant_dedupe(conn: Conn, *, tenant_id: UUID) -> None:
    conn.execute(queries["lock_tenant_dedupe"], {"tenant_id": tenant_id})


def copy_staged(conn: Conn, leads: Iterable[StagedLead], failures: Iterable[StagedFailure]) -> None:
    with conn.cursor() as cur:
        with cur.copy(queries["copy_lead_staging"]) as copy:
            copy.set_types(_LEAD_STAGING_TYPES)
            for lead in leads:
                copy.write_row(lead)
        with cur.copy(queries["copy_failed_staging"]) as copy:
            copy.set_types(_FAILED_STAGING_TYPES)
            for failure in failures:
                copy.write_row(failure)


def load_staged(
    conn: Conn, *, tenant_id: UUID, batch_id: UUID, source: str, dedupe_window: timedelta
) -> tuple[BatchCounts, list[UUID]]:
    """Move the staged chunk into leads/failed_records (deduping) and create outbox rows.
    Returns the counts of leads by status (``failed`` is not counted here) and the new
    delivery ids."""
    params = {
        "tenant_id": tenant_id,
        "batch_id": batch_id,
        "source": source,
        "dedupe_window": dedupe_window,
    }
    conn.execute(queries["load_failed_from_staging"], params)
    row = conn.execute(queries["load_leads_from_staging"], params).fetchone()
    assert row is not None
    ok, duplicate, held, delivery_ids = row
    return BatchCounts(ok=ok, duplicate=duplicate, held=held), list(delivery_ids or [])


def clear_staging(conn: Conn) -> None:
    conn.execute(queries["clear_staging"])


def finish_batch(conn: Conn, *, tenant_id: UUID, batch_id: UUID, counts: BatchCounts) -> None:
    conn.execute(
        queries["finish_batch"],
        {
            "tenant_id": tenant_id,
            "batch_id": batch_id,
            "total": counts.total,
            "ok": counts.ok,
            "failed": counts.failed,
            "duplicate": counts.duplicate,
            "held": counts.held,
        },
    )


def reject_batch(conn: Conn, *, tenant_id: UUID, batch_id: UUID, error: str) -> None:
    conn.execute(
        queries["reject_batch"], {"tenant_id": tenant_id, "batch_id": batch_id, "error": error}
    )


def failed_export_columns(conn: Conn, *, tenant_id: UUID, batch_id: UUID | None) -> list[str]:
    rows = conn.execute(
        queries["failed_export_columns"], {"tenant_id": tenant_id, "batch_id": batch_id}
    ).fetchall()
    rows.sort(key=lambda r: (r[1], r[2], r[3]))
    return [r[0] for r in rows]


def failed_records_for_export(
    conn: Conn, *, tenant_id: UUID, batch_id: UUID | None
) -> Iterator[tuple[UUID, int, str, list[dict[str, str]], dict[str, str]]]:
    """Stream failed records (a server-side cursor: an export never sits in memory)."""
    with conn.cursor(name="failed_export") as cur:
        cur.itersize = 2000
        cur.execute(
            queries["failed_records_for_export"], {"tenant_id": tenant_id, "batch_id": batch_id}
        )
        for batch, record_number, source, errors, raw, _created in cur:
            yield batch, record_number, source, errors, raw
