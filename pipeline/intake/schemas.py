from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from pipeline.core.structs import Frozen

__all__ = ["BatchCounts", "BatchStatus", "Channel", "IngestBatch", "IngestOutcome"]

Channel = Literal["cli", "upload", "api"]
BatchStatus = Literal["received", "done", "rejected"]


class IngestBatch(Frozen):
    id: UUID
    tenant_id: UUID
    source: str
    channel: Channel
    filename: str | None
    content_type: str | None
    content_sha256: str
    byte_size: int
    mapping: dict[str, Any] | None
    status: BatchStatus
    error: str | None
    total_records: int
    ok_count: int
    failed_count: int
    duplicate_count: int
    held_count: int
    created_at: datetime
    completed_at: datetime | None


class BatchCounts(Frozen):
    total: int = 0
    ok: int = 0
    failed: int = 0
    duplicate: int = 0
    held: int = 0

    def __add__(self, other: BatchCounts) -> BatchCounts:
        return BatchCounts(
            total=self.total + other.total,
            ok=self.ok + other.ok,
            failed=self.failed + other.failed,
            duplicate=self.duplicate + other.duplicate,
            held=self.held + other.held,
        )


class IngestOutcome(Frozen):
    batch: IngestBatch
    already_ingested: bool
    """The same bytes from the same source were ingested before; nothing new was stored."""
    delivery_ids: list[UUID] = msgspec.field(default_factory=list)
    """Outbox rows created by this load, for enqueueing after commit. Capped: a big file's
    deliveries are found by the dispatcher instead of one queue message each."""
