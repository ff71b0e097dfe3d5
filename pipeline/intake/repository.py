"""Intake data access (blocking psycopg: bulk loads run off the event loop)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg.copy import Copy, FileWriter, LibpqWriter
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from pipeline.core.queries import load_queries
from pipeline.intake.copyformat import SIGNATURE, TRAILER
from pipeline.intake.schemas import BatchCounts, Channel, IngestBatch

__all__ = [
    "LEAD_STAGING_FIELDS",
    "StagedLead",
    "clear_staging",
    "copy_staged",
    "create_staging_tables",
    "defer_outbox",
    "encode_staged",
    "encode_staged_lead_body",
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
    "set_batch_content",
    "set_lead_id_base",
    "tenant_intake_settings",
]

queries = load_queries("pipeline.intake")
Conn = psycopg.Connection[Any]

# id, then the in-chunk root's id, vendor record id, phone and email (pipeline.intake.links),
# record_number, hold_reason, warnings (JSON), raw (JSON), then every canonical lead field
# but ``source`` in ``Lead`` order, ``extra`` as JSON: see lead_staging in queries.sql.
StagedLead = tuple[Any, ...]
# record_number, errors, raw
StagedFailure = tuple[int, str, str]
_LEAD_STAGING_TYPES = [
    *("uuid", "uuid", "text", "text", "text"),
    *("int4", "text", "text", "text"),
    *("text",) * 6,  # source_record_id, lead_kind, first_name, last_name, email, phone
    "text[]",  # alt_phones
    *("text",) * 4,  # address, city, state, zip
    *("int2", "text"),  # credit_score, credit_grade
    *("text",) * 10,  # property_value .. bid_loan_value, as numeric text
    *("bool",) * 4,  # cash_out, found_home, va_eligible, has_second_mortgage
    *("text",) * 8,  # loan_type .. property_use, both dates, consent_url, extra
]
_FAILED_STAGING_TYPES = ["int4", "text", "text"]
LEAD_STAGING_FIELDS = len(_LEAD_STAGING_TYPES)
# id, root_id, root_source_record_id, root_phone, root_email
_LINK_FIELDS = 5


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
    mapping: dict[str, Any] | None,
) -> UUID:
    """A new batch, its content still to be given by ``set_batch_content``."""
    row = conn.execute(
        queries["insert_batch"],
        {
            "tenant_id": tenant_id,
            "source": source,
            "channel": channel,
            "filename": filename,
            "content_type": content_type,
            "mapping": None if mapping is None else Jsonb(mapping),
        },
    ).fetchone()
    assert row is not None
    batch_id: UUID = row[0]
    return batch_id


def set_batch_content(
    conn: Conn, *, tenant_id: UUID, batch_id: UUID, content_sha256: str, byte_size: int
) -> None:
    """Give the batch the hash and size of its bytes. Raises ``UniqueViolation`` (on
    ``ingest_batches_content_key``) when the tenant has these bytes from this source."""
    conn.execute(
        queries["set_batch_content"],
        {
            "tenant_id": tenant_id,
            "batch_id": batch_id,
            "content_sha256": content_sha256,
            "byte_size": byte_size,
        },
    )


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


def encode_staged(
    cursor: psycopg.Cursor[Any], leads: Iterable[StagedLead], failures: Iterable[StagedFailure]
) -> tuple[bytes, bytes]:
    """The COPY data (binary format) of a chunk for lead_staging and failed_staging.

    Needs no server round trip, so it can run on another thread than the one using the
    connection; ``cursor`` only lends the connection's adapters.
    """
    return (
        _encode_copy(cursor, _LEAD_STAGING_TYPES, leads),
        _encode_copy(cursor, _FAILED_STAGING_TYPES, failures),
    )


def encode_staged_lead_body(cursor: psycopg.Cursor[Any], body: StagedLead) -> bytes:
    """One lead_staging row's fields after its leading link fields (id, root id and keys),
    as binary COPY data without the row's field count: ``pipeline.intake.links`` writes
    the count and the link fields in front."""
    data = _encode_copy(cursor, _LEAD_STAGING_TYPES[_LINK_FIELDS:], [body])
    return data[len(SIGNATURE) + 2 : -len(TRAILER)]


def _encode_copy(
    cursor: psycopg.Cursor[Any], types: list[str], rows: Iterable[tuple[Any, ...]]
) -> bytes:
    buffer = io.BytesIO()
    with Copy(cursor, binary=True, writer=FileWriter(buffer)) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
    return buffer.getvalue()


def copy_staged(conn: Conn, *, leads: bytes, failures: bytes) -> None:
    """Load COPY data from ``encode_staged`` into the staging tables, each in one flush."""
    with conn.cursor() as cur:
        for query, data in (
            (queries["copy_lead_staging"], leads),
            (queries["copy_failed_staging"], failures),
        ):
            with cur.copy(query, writer=LibpqWriter(cur, flush_threshold=len(data) + 1)) as copy:
                copy.write(data)


def load_staged(
    conn: Conn,
    *,
    tenant_id: UUID,
    batch_id: UUID,
    source: str,
    dedupe_window: timedelta,
    queue: bool = True,
) -> tuple[BatchCounts, list[UUID]]:
    """Move the staged chunk into leads/failed_records (deduping) and, with ``queue``,
    create the accepted leads' outbox rows. Returns the counts of leads by status
    (``failed`` is not counted here) and the new delivery ids."""
    params = {
        "tenant_id": tenant_id,
        "batch_id": batch_id,
        "source": source,
        "dedupe_window": dedupe_window,
        "queue": queue,
    }
    conn.execute(queries["load_failed_from_staging"], params)
    row = conn.execute(queries["load_leads_from_staging"], params).fetchone()
    assert row is not None
    ok, duplicate, held, delivery_ids = row
    return BatchCounts(ok=ok, duplicate=duplicate, held=held), list(delivery_ids or [])


def set_lead_id_base(conn: Conn, *, tenant_id: UUID, batch_id: UUID, lead_id_base: UUID) -> None:
    """Record where the batch's lead ids come from (``links.batch_lead_ids``)."""
    conn.execute(
        queries["set_lead_id_base"],
        {"tenant_id": tenant_id, "batch_id": batch_id, "lead_id_base": lead_id_base},
    )


def defer_outbox(conn: Conn, *, tenant_id: UUID, batch_id: UUID, lead_id_base: UUID) -> None:
    """Leave the outbox rows of the batch's leads loaded from now on to the delivery
    sweeper."""
    conn.execute(
        queries["defer_outbox"],
        {"tenant_id": tenant_id, "batch_id": batch_id, "lead_id_base": lead_id_base},
    )


def clear_staging(conn: Conn) -> None:
    conn.execute(queries["clear_staging"])


def finish_batch(
    conn: Conn,
    *,
    tenant_id: UUID,
    batch_id: UUID,
    counts: BatchCounts,
    raw_columns: Sequence[str],
) -> None:
    conn.execute(
        queries["finish_batch"],
        {
            "tenant_id": tenant_id,
            "batch_id": batch_id,
            "raw_columns": list(raw_columns),
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
