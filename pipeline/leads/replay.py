"""Replaying deliveries on a person's or an API client's request.

The delivery engine's ``replay`` does the work; this module checks first what a caller
can be told precisely: an unknown lead or batch is not found (whoever's it is), and a
lead that cannot be replayed says why. Enqueue the returned ids after this returns
(the replay has committed by then).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from pipeline.core.db import tenant_transaction
from pipeline.delivery.service import ReplayRefused, replay
from pipeline.leads import repository
from pipeline.leads.service import BatchNotFound, LeadNotFound, require_batch

__all__ = [
    "BatchNotFound",
    "LeadNotFound",
    "ReplayNotPossible",
    "replay_deliveries",
    "replay_lead",
]


class ReplayNotPossible(ValueError):
    """The lead's delivery is in no state to be replayed; the message says why."""


async def replay_lead(
    pool: AsyncConnectionPool[Any], *, tenant_id: UUID, lead_id: UUID, force: bool
) -> list[UUID]:
    """Queue the lead's failed or dead delivery (a delivered one too with ``force``).
    Raises ``LeadNotFound`` or ``ReplayNotPossible``."""
    async with tenant_transaction(pool, tenant_id) as conn:
        exists, status = await repository.lead_delivery_status(
            conn, tenant_id=tenant_id, lead_id=lead_id
        )
    if not exists:
        raise LeadNotFound(f"lead {lead_id} not found")
    if status is None:
        raise ReplayNotPossible(
            f"lead {lead_id} was never queued for delivery (a duplicate, or held for compliance)"
        )
    if status == "pending":
        raise ReplayNotPossible(f"lead {lead_id} is already waiting for delivery")
    if status == "delivered" and not force:
        raise ReplayNotPossible(
            f"lead {lead_id} was already delivered; replay it with force=true to send it again"
        )
    try:
        return await replay(pool, tenant_id=tenant_id, lead_id=lead_id, force=force)
    except ReplayRefused as exc:  # its status changed since the check above
        raise ReplayNotPossible(str(exc)) from None


async def replay_deliveries(
    pool: AsyncConnectionPool[Any],
    *,
    tenant_id: UUID,
    batch_id: UUID | None,
    source: str | None,
    since: datetime | None,
    force: bool,
) -> list[UUID]:
    """Queue every failed and dead delivery (delivered ones too with ``force``) matching
    the filters. Raises ``BatchNotFound``."""
    async with tenant_transaction(pool, tenant_id) as conn:
        await require_batch(conn, tenant_id=tenant_id, batch_id=batch_id)
    return await replay(
        pool, tenant_id=tenant_id, batch_id=batch_id, source=source, since=since, force=force
    )
