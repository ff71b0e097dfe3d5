"""Store one ingest request durably and answer repeats with the first answer. Blocking
(psycopg sync): run on a thread. Big bodies take this path; small ones are stored in
groups by ``gateway.ingest.committer``, which falls back to this path.

Storing and recording the idempotency key happen in one transaction (``store_batch``
runs inside it as a savepoint), so a key is never recorded for a batch that was not
stored, and a batch stored under a key is never acknowledged twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO
from uuid import UUID

from psycopg_pool import ConnectionPool

from gateway.ingest import repository
from pipeline.core.db import tenant_transaction_sync
from pipeline.intake.service import store_batch

__all__ = ["IdempotencyKeyReused", "StoredRequest", "store_request"]


class IdempotencyKeyReused(Exception):
    """The key was used before for a different body or source."""


@dataclass(frozen=True)
class StoredRequest:
    batch_id: UUID
    created: bool
    """False when these bytes from this source were stored before (same batch)."""
    replayed: bool
    """True when the idempotency key was seen before: nothing was stored now."""


class _LostRace(Exception):
    """Another request committed the same key between our lookup and our insert."""


def _replay(record: repository.IdempotencyRecord, source: str, sha256: str) -> StoredRequest:
    recorded_source, recorded_sha256, batch_id = record
    if recorded_source != source or recorded_sha256 != sha256:
        raise IdempotencyKeyReused
    return StoredRequest(batch_id=batch_id, created=False, replayed=True)


def store_request(
    pool: ConnectionPool[Any],
    *,
    tenant_id: UUID,
    source: str,
    body: BinaryIO,
    content_sha256: str,
    content_type: str | None,
    filename: str | None,
    idempotency_key: str | None,
) -> StoredRequest:
    """Commit the body as a batch (or find the first answer for ``idempotency_key``).

    Raises ``IdempotencyKeyReused`` when the key was recorded with another body or source.
    """
    with pool.connection() as conn:
        try:
            with tenant_transaction_sync(conn, tenant_id):
                if idempotency_key is not None:
                    found = repository.find_idempotency_key(
                        conn, tenant_id=tenant_id, idempotency_key=idempotency_key
                    )
                    if found is not None:
                        return _replay(found, source, content_sha256)
                batch_id, created = store_batch(
                    conn,
                    tenant_id=tenant_id,
                    source=source,
                    stream=body,
                    channel="api",
                    filename=filename,
                    content_type=content_type,
                )
                if idempotency_key is not None and not repository.insert_idempotency_key(
                    conn,
                    tenant_id=tenant_id,
                    idempotency_key=idempotency_key,
                    source=source,
                    content_sha256=content_sha256,
                    batch_id=batch_id,
                ):
                    raise _LostRace
        except _LostRace:
            assert idempotency_key is not None
            with tenant_transaction_sync(conn, tenant_id):
                found = repository.find_idempotency_key(
                    conn, tenant_id=tenant_id, idempotency_key=idempotency_key
                )
            assert found is not None, "the key's winner has committed"
            return _replay(found, source, content_sha256)
    return StoredRequest(batch_id=batch_id, created=created, replayed=False)
