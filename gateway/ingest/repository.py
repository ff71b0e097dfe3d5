"""Data access for the ingest API: signing secrets, idempotency keys, batch status.

The idempotency functions are blocking (they share the transaction ``store_batch`` runs
in, on a thread); the rest are async on the gateway's pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg

from gateway.ingest.schemas import BatchStatus, DeliveryProgress, RecordCounts
from pipeline.core.db import Connection
from pipeline.core.queries import load_queries

__all__ = [
    "IdempotencyRecord",
    "SmallBodyRow",
    "batch_status",
    "find_batches_by_content",
    "find_idempotency_key",
    "find_idempotency_keys",
    "insert_idempotency_key",
    "insert_idempotency_keys",
    "insert_small_bodies",
    "received_batches_older_than",
    "rotate_webhook_secret",
    "webhook_secrets",
]

queries = load_queries("gateway.ingest")
SyncConn = psycopg.Connection[Any]

# source, content_sha256, batch_id
IdempotencyRecord = tuple[str, str, UUID]
# source, filename, content_type, content_sha256, data
SmallBodyRow = tuple[str, str | None, str | None, str, bytes]


async def webhook_secrets(
    conn: Connection, *, tenant_id: UUID, source: str
) -> tuple[str, str | None] | None:
    """``(current, previous)`` ciphertexts; ``previous`` only while its grace lasts."""
    cur = await conn.execute(queries["webhook_secrets"], {"tenant_id": tenant_id, "source": source})
    row = await cur.fetchone()
    return None if row is None else (row[0], row[1])


async def rotate_webhook_secret(
    conn: Connection,
    *,
    tenant_id: UUID,
    source: str,
    secret_ciphertext: str,
    previous_grace: timedelta | None,
) -> None:
    await conn.execute(
        queries["rotate_webhook_secret"],
        {
            "tenant_id": tenant_id,
            "source": source,
            "secret_ciphertext": secret_ciphertext,
            "keep_previous": previous_grace is not None,
            "grace": previous_grace,
        },
    )


def find_idempotency_key(
    conn: SyncConn, *, tenant_id: UUID, idempotency_key: str
) -> IdempotencyRecord | None:
    row = conn.execute(
        queries["find_idempotency_key"],
        {"tenant_id": tenant_id, "idempotency_key": idempotency_key},
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def insert_idempotency_key(
    conn: SyncConn,
    *,
    tenant_id: UUID,
    idempotency_key: str,
    source: str,
    content_sha256: str,
    batch_id: UUID,
) -> bool:
    """False when another request took the key first (it has committed by then)."""
    row = conn.execute(
        queries["insert_idempotency_key"],
        {
            "tenant_id": tenant_id,
            "idempotency_key": idempotency_key,
            "source": source,
            "content_sha256": content_sha256,
            "batch_id": batch_id,
        },
    ).fetchone()
    return row is not None


async def batch_status(conn: Connection, *, tenant_id: UUID, batch_id: UUID) -> BatchStatus | None:
    params = {"tenant_id": tenant_id, "batch_id": batch_id}
    cur = await conn.execute(queries["batch_summary"], params)
    row = await cur.fetchone()
    if row is None:
        return None
    (_, source, channel, status, error, total, ok, failed, duplicate, held, created, completed) = (
        row
    )
    cur = await conn.execute(queries["batch_error_codes"], params)
    errors: dict[str, int] = dict(await cur.fetchall())
    cur = await conn.execute(queries["batch_deliveries"], params)
    by_status: dict[str, int] = dict(await cur.fetchall())
    return BatchStatus(
        batch_id=batch_id,
        source=source,
        channel=channel,
        status=status,
        error=error,
        received_at=created,
        completed_at=completed,
        records=RecordCounts(total=total, ok=ok, failed=failed, duplicate=duplicate, held=held),
        errors=errors,
        deliveries=DeliveryProgress(
            total=sum(by_status.values()),
            pending=by_status.get("pending", 0),
            delivered=by_status.get("delivered", 0),
            failed=by_status.get("failed", 0),
            dead=by_status.get("dead", 0),
        ),
    )


async def received_batches_older_than(
    conn: Connection, *, age: timedelta, limit: int
) -> list[tuple[UUID, UUID]]:
    """``(tenant_id, batch_id)`` of batches across tenants still waiting to be processed
    (a SECURITY DEFINER function: ids only)."""
    cur = await conn.execute(queries["received_batches_older_than"], {"age": age, "limit": limit})
    return [(tenant_id, batch_id) for tenant_id, batch_id in await cur.fetchall()]


async def find_idempotency_keys(
    conn: Connection, *, tenant_id: UUID, keys: Sequence[str]
) -> dict[str, IdempotencyRecord]:
    cur = await conn.execute(
        queries["find_idempotency_keys"], {"tenant_id": tenant_id, "keys": list(keys)}
    )
    return {
        key: (source, sha256, batch_id) for key, source, sha256, batch_id in await cur.fetchall()
    }


async def insert_small_bodies(
    conn: Connection, *, tenant_id: UUID, bodies: Sequence[SmallBodyRow]
) -> dict[tuple[str, str], UUID]:
    """Insert a batch and its single chunk per body, skipping content already stored;
    the bodies' ``(source, content_sha256)`` must be distinct. Scopes the transaction to
    ``tenant_id`` itself: on an autocommit connection the call is a whole transaction,
    committed when it returns. Returns ``(source, content_sha256) -> id`` of the batches
    inserted now."""
    cur = await conn.execute(
        queries["insert_small_bodies"],
        {
            "tenant_id": tenant_id,
            "sources": [row[0] for row in bodies],
            "filenames": [row[1] for row in bodies],
            "content_types": [row[2] for row in bodies],
            "content_sha256s": [row[3] for row in bodies],
            "datas": [row[4] for row in bodies],
        },
    )
    return {(source, sha256): batch_id for batch_id, source, sha256 in await cur.fetchall()}


async def find_batches_by_content(
    conn: Connection, *, tenant_id: UUID, contents: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], UUID]:
    cur = await conn.execute(
        queries["find_batches_by_content"],
        {
            "tenant_id": tenant_id,
            "sources": [source for source, _ in contents],
            "content_sha256s": [sha256 for _, sha256 in contents],
        },
    )
    return {(source, sha256): batch_id for batch_id, source, sha256 in await cur.fetchall()}


async def insert_idempotency_keys(
    conn: Connection,
    *,
    tenant_id: UUID,
    records: Sequence[tuple[str, IdempotencyRecord]],
) -> int:
    """Insert ``(key, (source, sha256, batch_id))`` rows; returns how many were new (a
    key taken meanwhile by another process is skipped)."""
    cur = await conn.execute(
        queries["insert_idempotency_keys"],
        {
            "tenant_id": tenant_id,
            "keys": [key for key, _ in records],
            "sources": [record[0] for _, record in records],
            "content_sha256s": [record[1] for _, record in records],
            "batch_ids": [record[2] for _, record in records],
        },
    )
    return len(await cur.fetchall())
