"""Ingest a vendor file: store the raw bytes, then parse, normalize, dedupe and bulk-load.

Two steps, two transactions. ``store_batch`` commits the bytes before anything else (an
acknowledged file is never lost); ``process_batch`` reads them back through the source
adapter and loads leads, failed records and outbox rows in chunks with COPY, normalizing
the next chunks on a thread while PostgreSQL loads the current one. A batch that crashed
while processing stays ``received`` (its one transaction rolls back) and can simply be
processed again.

Both steps block (CPU-bound parsing and COPY): call them from a CLI process or a thread,
never on the event loop.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, BinaryIO
from uuid import UUID

import msgspec
import psycopg

from pipeline.core.db import tenant_transaction_sync
from pipeline.intake import repository
from pipeline.intake.links import batch_lead_ids, new_lead_id_base
from pipeline.intake.readahead import read_ahead
from pipeline.intake.schemas import BatchCounts, Channel, IngestBatch, IngestOutcome
from pipeline.intake.staging import StagedChunk, staged_chunks
from pipeline.normalize import NormalizeConfig
from pipeline.sources import SourceFormatError, get_source
from pipeline.sources.layout import Layout

__all__ = ["IngestError", "ingest", "process_batch", "store_batch"]

log = logging.getLogger(__name__)

PAYLOAD_CHUNK_BYTES = 4 * 1024 * 1024
LOAD_CHUNK_RECORDS = 10_000
# Chunks normalized ahead of the one PostgreSQL is loading. One keeps both sides busy;
# each more only holds another ~15 MB of COPY data (measured: same speed, +30 MB peak RSS).
READ_AHEAD_CHUNKS = 1
# Load chunks whose accepted leads get their outbox rows in the load's transaction; a
# bigger file's later leads get theirs from the delivery sweeper as Bonzo takes them
# (migration 0007): an outbox row was a quarter of PostgreSQL's work per ingested row.
INLINE_OUTBOX_CHUNKS = 1
# Past this many new deliveries a load does not hand ids back for one queue message each;
# the dispatcher picks them up from the outbox instead.
DELIVERY_IDS_CAP = 1000

Conn = psycopg.Connection[Any]


class IngestError(ValueError):
    """The batch cannot be ingested as asked (unknown batch, bad mapping)."""


def store_batch(
    conn: Conn,
    *,
    tenant_id: UUID,
    source: str,
    stream: BinaryIO,
    channel: Channel,
    filename: str | None = None,
    content_type: str | None = None,
    mapping: Layout | None = None,
) -> tuple[UUID, bool]:
    """Store the raw bytes as a new batch in its own committed transaction.

    ``stream`` is read once, from where it stands, to its end. Returns ``(batch_id,
    created)``; ``created`` is false when the same bytes from the same source were stored
    before (re-ingesting is idempotent).

    The bytes are hashed while PostgreSQL writes them (pipeline mode: each chunk's insert is
    sent before it is hashed), and the batch takes its content hash at the end; when that
    hash is already the tenant's, the transaction rolls back and the earlier batch is
    returned. Two loads of one file at once meet on the content key: the second waits for
    the first and then finds it.
    """
    get_source(source, mapping=mapping)  # unknown source or missing mapping: fail before storing
    try:
        with tenant_transaction_sync(conn, tenant_id):
            batch_id = repository.insert_batch(
                conn,
                tenant_id=tenant_id,
                source=source,
                channel=channel,
                filename=filename,
                content_type=content_type,
                mapping=None if mapping is None else msgspec.to_builtins(mapping),
            )
            digest = hashlib.sha256()
            size = 0
            with conn.pipeline():
                seq = 0
                while block := stream.read(PAYLOAD_CHUNK_BYTES):
                    repository.insert_payload_chunk(
                        conn, tenant_id=tenant_id, batch_id=batch_id, seq=seq, data=block
                    )
                    digest.update(block)
                    size += len(block)
                    seq += 1
            repository.set_batch_content(
                conn,
                tenant_id=tenant_id,
                batch_id=batch_id,
                content_sha256=digest.hexdigest(),
                byte_size=size,
            )
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name != "ingest_batches_content_key":
            raise
        with tenant_transaction_sync(conn, tenant_id):
            existing = repository.find_batch_by_content(
                conn, tenant_id=tenant_id, source=source, content_sha256=digest.hexdigest()
            )
        assert existing is not None
        return existing, False
    return batch_id, True


class StoredPayload(io.RawIOBase):
    """Read a stored batch's bytes back, one chunk query at a time."""

    def __init__(self, conn: Conn, *, tenant_id: UUID, batch_id: UUID) -> None:
        self._conn = conn
        self._tenant_id = tenant_id
        self._batch_id = batch_id
        self._seq = 0
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        if not self._buffer:
            chunk = repository.payload_chunk(
                self._conn, tenant_id=self._tenant_id, batch_id=self._batch_id, seq=self._seq
            )
            if chunk is None:
                return 0
            self._seq += 1
            self._buffer = memoryview(chunk)
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


def process_batch(
    conn: Conn,
    *,
    tenant_id: UUID,
    batch_id: UUID,
    stream: BinaryIO | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestOutcome:
    """Parse, normalize and load a stored batch in one transaction.

    ``stream`` may supply the same bytes from a local file (faster than reading them back);
    by default they are read from the database. A batch that is already processed is
    returned as it is. A file the source cannot read at all marks the batch ``rejected``
    with the reason; bad records are data (failed records), never a rejected batch.
    ``on_progress`` receives the number of records handled so far, after each chunk.
    """
    with tenant_transaction_sync(conn, tenant_id):
        status = repository.lock_batch_for_processing(conn, tenant_id=tenant_id, batch_id=batch_id)
        if status is None:
            raise IngestError(f"batch {batch_id} not found")
        batch = repository.get_batch(conn, tenant_id=tenant_id, batch_id=batch_id)
        assert batch is not None
        if status != "received":
            return IngestOutcome(batch=batch, already_ingested=True)
        mapping = None if batch.mapping is None else msgspec.convert(batch.mapping, Layout)
        dedupe_window, permissible_purpose, grade_scores = repository.tenant_intake_settings(
            conn, tenant_id=tenant_id
        )
        config = (
            NormalizeConfig(
                permissible_purpose=permissible_purpose, credit_grade_scores=grade_scores
            )
            if grade_scores
            else NormalizeConfig(permissible_purpose=permissible_purpose)
        )
        source_stream: BinaryIO = (
            stream
            if stream is not None
            else io.BufferedReader(
                StoredPayload(conn, tenant_id=tenant_id, batch_id=batch_id),
                buffer_size=PAYLOAD_CHUNK_BYTES,
            )
        )
        lead_id_base = new_lead_id_base()
        try:
            chunks = staged_chunks(
                conn.cursor(),
                get_source(batch.source, mapping=mapping),
                source_stream,
                config=config,
                size=LOAD_CHUNK_RECORDS,
                lead_ids=batch_lead_ids(lead_id_base),
            )
            counts, raw_columns, delivery_ids = _load(
                conn, batch, lead_id_base, chunks, dedupe_window, on_progress
            )
        except SourceFormatError as exc:
            repository.reject_batch(conn, tenant_id=tenant_id, batch_id=batch_id, error=str(exc))
        else:
            repository.finish_batch(
                conn,
                tenant_id=tenant_id,
                batch_id=batch_id,
                counts=counts,
                raw_columns=raw_columns,
            )
        final = repository.get_batch(conn, tenant_id=tenant_id, batch_id=batch_id)
        assert final is not None
    capped = (
        delivery_ids if final.status == "done" and len(delivery_ids) <= DELIVERY_IDS_CAP else []
    )
    return IngestOutcome(batch=final, already_ingested=False, delivery_ids=capped)


def _load(
    conn: Conn,
    batch: IngestBatch,
    lead_id_base: UUID,
    chunks: Iterator[StagedChunk],
    dedupe_window: timedelta,
    on_progress: Callable[[int], None] | None,
) -> tuple[BatchCounts, tuple[str, ...], list[UUID]]:
    """Load every chunk, its leads' ids made from ``lead_id_base``; the batch's counts, the
    names of its leads' raw cells and the first deliveries' ids."""
    repository.set_lead_id_base(
        conn, tenant_id=batch.tenant_id, batch_id=batch.id, lead_id_base=lead_id_base
    )
    repository.create_staging_tables(conn)
    repository.lock_tenant_dedupe(conn, tenant_id=batch.tenant_id)
    totals = BatchCounts()
    raw_columns: tuple[str, ...] = ()
    delivery_ids: list[UUID] = []
    with read_ahead(chunks, depth=READ_AHEAD_CHUNKS) as ready:
        for number, chunk in enumerate(ready):
            queue = number < INLINE_OUTBOX_CHUNKS
            if number == INLINE_OUTBOX_CHUNKS:
                repository.defer_outbox(
                    conn, tenant_id=batch.tenant_id, batch_id=batch.id, lead_id_base=lead_id_base
                )
            repository.copy_staged(conn, leads=chunk.leads, failures=chunk.failures)
            counts, new_ids = repository.load_staged(
                conn,
                tenant_id=batch.tenant_id,
                batch_id=batch.id,
                source=batch.source,
                dedupe_window=dedupe_window,
                queue=queue,
            )
            repository.clear_staging(conn)
            raw_columns = chunk.raw_columns
            totals = (
                totals
                + counts
                + BatchCounts(
                    total=chunk.lead_count + chunk.failure_count, failed=chunk.failure_count
                )
            )
            if len(delivery_ids) <= DELIVERY_IDS_CAP:
                delivery_ids.extend(new_ids)
            if on_progress is not None:
                on_progress(totals.total)
    return totals, raw_columns, delivery_ids


def ingest(
    conn: Conn,
    *,
    tenant_id: UUID,
    source: str,
    stream: BinaryIO,
    channel: Channel,
    filename: str | None = None,
    content_type: str | None = None,
    mapping: Layout | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestOutcome:
    """Store then process, reading the local stream for both steps."""
    start = stream.tell()
    batch_id, created = store_batch(
        conn,
        tenant_id=tenant_id,
        source=source,
        stream=stream,
        channel=channel,
        filename=filename,
        content_type=content_type,
        mapping=mapping,
    )
    if not created:
        with tenant_transaction_sync(conn, tenant_id):
            batch = repository.get_batch(conn, tenant_id=tenant_id, batch_id=batch_id)
        assert batch is not None
        if batch.status != "received":
            return IngestOutcome(batch=batch, already_ingested=True)
    stream.seek(start)
    return process_batch(
        conn, tenant_id=tenant_id, batch_id=batch_id, stream=stream, on_progress=on_progress
    )
