"""Response bodies of the ingest API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from pipeline.core.structs import Frozen

__all__ = ["BatchStatus", "DeliveryProgress", "IngestAccepted", "RecordCounts"]


class IngestAccepted(Frozen):
    """The 202 answer: the body is stored; processing goes on behind ``status_url``."""

    batch_id: UUID
    status_url: str


class RecordCounts(Frozen):
    total: int = 0
    ok: int = 0
    failed: int = 0
    duplicate: int = 0
    held: int = 0


class DeliveryProgress(Frozen):
    total: int = 0
    pending: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0


class BatchStatus(Frozen):
    batch_id: UUID
    source: str
    channel: str
    status: Literal["received", "done", "rejected"]
    """``received``: stored, not processed yet; ``done``: every record is a lead or a
    failed record; ``rejected``: the source could not read the body at all (``error``)."""
    error: str | None
    received_at: datetime
    completed_at: datetime | None
    records: RecordCounts
    errors: dict[str, int] = msgspec.field(default_factory=dict)
    """Failed records per issue code."""
    deliveries: DeliveryProgress = msgspec.field(default_factory=DeliveryProgress)
