"""Request and answer bodies of the replay endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from pipeline.core.structs import Frozen

__all__ = ["BulkReplayRequest", "ReplayResult"]


class BulkReplayRequest(Frozen):
    """Queue the tenant's failed and dead deliveries again; every filter given narrows."""

    batch_id: UUID | None = None
    source: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] | None = None
    since: datetime | None = None
    """Only deliveries that changed from this time on (UTC without an offset)."""
    force: bool = False
    """Also send leads Bonzo already accepted."""


class ReplayResult(Frozen):
    queued: int
    """How many deliveries were put back in line (sent within seconds)."""
    delivery_ids: list[UUID]
    """Their ids (the first 1000 when more were queued)."""
