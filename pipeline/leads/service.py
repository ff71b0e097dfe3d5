"""Reading a tenant's leads, failed records and deliveries, in the caller's transaction
(which must be scoped to ``tenant_id``)."""

from __future__ import annotations

from typing import Final
from uuid import UUID

import msgspec

from pipeline.core.db import Connection
from pipeline.core.lead import Lead
from pipeline.core.rawrows import raw_row
from pipeline.core.records import FieldIssue
from pipeline.journey import repository as journey_repository
from pipeline.leads import repository
from pipeline.leads.cursor import (
    InvalidCursor,
    decode_delivery_cursor,
    decode_failed_record_cursor,
    decode_lead_cursor,
    encode_cursor,
)
from pipeline.leads.schemas import (
    DeliveryFilter,
    DeliveryPage,
    FailedRecordFilter,
    FailedRecordPage,
    LeadDetail,
    LeadFilter,
    LeadPage,
    LeadStatus,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "BatchNotFound",
    "InvalidCursor",
    "LeadNotFound",
    "get_lead_detail",
    "list_deliveries",
    "list_failed_records",
    "list_leads",
    "require_batch",
]

MAX_PAGE_SIZE: Final = 200

_lead_decoder = msgspec.json.Decoder(Lead)
_warnings_decoder = msgspec.json.Decoder(list[FieldIssue])


class BatchNotFound(LookupError):
    """No ingest batch with that id is visible to the tenant."""


class LeadNotFound(LookupError):
    """No lead with that id is visible to the tenant."""


async def require_batch(conn: Connection, *, tenant_id: UUID, batch_id: UUID | None) -> None:
    """Raise ``BatchNotFound`` unless ``batch_id`` is ``None`` or one of the tenant's
    batches: another tenant's batch id is as unknown as a made-up one."""
    if batch_id is not None and not await repository.batch_exists(
        conn, tenant_id=tenant_id, batch_id=batch_id
    ):
        raise BatchNotFound(f"batch {batch_id} not found")


async def list_leads(
    conn: Connection, *, tenant_id: UUID, filters: LeadFilter, cursor: str | None, limit: int
) -> LeadPage:
    """One page of leads, newest first. Raises ``InvalidCursor`` or ``BatchNotFound``."""
    after = None if cursor is None else decode_lead_cursor(cursor)
    await require_batch(conn, tenant_id=tenant_id, batch_id=filters.batch_id)
    rows = await repository.list_leads(
        conn, tenant_id=tenant_id, filters=filters, after=after, limit=_checked(limit) + 1
    )
    items, last = rows[:limit], rows[limit - 1] if len(rows) > limit else None
    return LeadPage(
        items=items,
        next_cursor=None
        if last is None
        else encode_cursor("leads", last.received_at, last.batch_id, last.record_number),
    )


async def list_failed_records(
    conn: Connection,
    *,
    tenant_id: UUID,
    filters: FailedRecordFilter,
    cursor: str | None,
    limit: int,
) -> FailedRecordPage:
    """One page of failed records, newest first. Raises ``InvalidCursor`` or
    ``BatchNotFound``."""
    after = None if cursor is None else decode_failed_record_cursor(cursor)
    await require_batch(conn, tenant_id=tenant_id, batch_id=filters.batch_id)
    rows = await repository.list_failed_records(
        conn, tenant_id=tenant_id, filters=filters, after=after, limit=_checked(limit) + 1
    )
    items, last = rows[:limit], rows[limit - 1] if len(rows) > limit else None
    return FailedRecordPage(
        items=items,
        next_cursor=None
        if last is None
        else encode_cursor("failed_records", last.created_at, last.batch_id, last.record_number),
    )


async def list_deliveries(
    conn: Connection, *, tenant_id: UUID, filters: DeliveryFilter, cursor: str | None, limit: int
) -> DeliveryPage:
    """One page of deliveries, newest lead first. Raises ``InvalidCursor`` or
    ``BatchNotFound``."""
    after = None if cursor is None else decode_delivery_cursor(cursor)
    await require_batch(conn, tenant_id=tenant_id, batch_id=filters.batch_id)
    rows = await repository.list_deliveries(
        conn, tenant_id=tenant_id, filters=filters, after=after, limit=_checked(limit) + 1
    )
    items, last = rows[:limit], rows[limit - 1] if len(rows) > limit else None
    return DeliveryPage(
        items=items,
        next_cursor=None if last is None else encode_cursor("deliveries", last.created_at, last.id),
    )


async def get_lead_detail(conn: Connection, *, tenant_id: UUID, lead_id: UUID) -> LeadDetail:
    """The lead with its raw row, normalized fields, warnings, delivery, every attempt, and
    its Bonzo journey. Raises ``LeadNotFound``."""
    row = await repository.get_lead(conn, tenant_id=tenant_id, lead_id=lead_id)
    if row is None:
        raise LeadNotFound(f"lead {lead_id} not found")
    delivery = await repository.delivery_for_lead(conn, tenant_id=tenant_id, lead_id=lead_id)
    attempts = (
        []
        if delivery is None
        else await repository.attempts_for_delivery(
            conn, tenant_id=tenant_id, delivery_id=delivery.id
        )
    )
    return LeadDetail(
        id=row.id,
        batch_id=row.batch_id,
        record_number=row.record_number,
        status=msgspec.convert(row.status, LeadStatus),
        duplicate_of=row.duplicate_of,
        hold_reason=row.hold_reason,
        received_at=row.received_at,
        first_contact_at=row.first_contact_at,
        lead=_lead_decoder.decode(row.lead),
        warnings=_warnings_decoder.decode(row.warnings),
        raw=raw_row(row.raw, row.raw_columns),
        delivery=delivery,
        delivery_status=(
            delivery.status if delivery is not None else "pending" if row.status == "ok" else None
        ),
        attempts=attempts,
        prospects=await journey_repository.links_for_lead(
            conn, tenant_id=tenant_id, lead_id=lead_id
        ),
        journey=await journey_repository.journey_for_lead(
            conn, tenant_id=tenant_id, lead_id=lead_id
        ),
    )


def _checked(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be 1-{MAX_PAGE_SIZE}")
    return limit
