"""Read-side data access for leads, failed records and deliveries.

The list queries have optional filters (``%(x)s IS NULL OR ...``); they run unprepared so
PostgreSQL plans each with its actual filters instead of settling on one generic plan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
from psycopg.rows import dict_row

from pipeline.core.db import Connection
from pipeline.core.queries import load_queries
from pipeline.leads.cursor import DeliveryPosition, RecordPosition
from pipeline.leads.schemas import (
    Delivery,
    DeliveryAttempt,
    DeliveryFilter,
    FailedRecordFilter,
    FailedRecordView,
    LeadFilter,
    LeadSummary,
)

__all__ = [
    "LeadRow",
    "attempts_for_delivery",
    "batch_exists",
    "delivery_for_lead",
    "get_lead",
    "lead_delivery_status",
    "list_deliveries",
    "list_failed_records",
    "list_leads",
]

queries = load_queries("pipeline.leads")


class LeadRow(NamedTuple):
    """A lead row; ``lead``, ``warnings`` and ``raw`` are JSON text for msgspec to decode."""

    id: UUID
    batch_id: UUID
    record_number: int
    status: str
    duplicate_of: UUID | None
    hold_reason: str | None
    received_at: datetime
    first_contact_at: datetime | None
    lead: str
    warnings: str
    raw: str
    raw_columns: list[str] | None
    """The names of ``raw``'s cells when it is an array (pipeline.core.rawrows)."""


def _record_after(after: RecordPosition | None) -> dict[str, Any]:
    at, batch_id, record = after if after is not None else (None, None, None)
    return {"after_at": at, "after_batch": batch_id, "after_record": record}


async def list_leads(
    conn: Connection,
    *,
    tenant_id: UUID,
    filters: LeadFilter,
    after: RecordPosition | None,
    limit: int,
) -> list[LeadSummary]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(
        queries["list_leads"],
        {
            "tenant_id": tenant_id,
            **msgspec.structs.asdict(filters),
            **_record_after(after),
            "limit": limit,
        },
        prepare=False,
    )
    return msgspec.convert(await cur.fetchall(), list[LeadSummary])


async def get_lead(conn: Connection, *, tenant_id: UUID, lead_id: UUID) -> LeadRow | None:
    cur = await conn.execute(queries["get_lead"], {"tenant_id": tenant_id, "lead_id": lead_id})
    row = await cur.fetchone()
    return None if row is None else LeadRow(*row)


async def lead_delivery_status(
    conn: Connection, *, tenant_id: UUID, lead_id: UUID
) -> tuple[bool, str | None]:
    """Whether the lead exists, and its delivery status (``None``: never queued)."""
    cur = await conn.execute(
        queries["lead_delivery_status"], {"tenant_id": tenant_id, "lead_id": lead_id}
    )
    row = await cur.fetchone()
    return (False, None) if row is None else (True, row[0])


async def batch_exists(conn: Connection, *, tenant_id: UUID, batch_id: UUID) -> bool:
    cur = await conn.execute(
        queries["batch_exists"], {"tenant_id": tenant_id, "batch_id": batch_id}
    )
    row = await cur.fetchone()
    return bool(row and row[0])


async def delivery_for_lead(conn: Connection, *, tenant_id: UUID, lead_id: UUID) -> Delivery | None:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(queries["delivery_for_lead"], {"tenant_id": tenant_id, "lead_id": lead_id})
    row = await cur.fetchone()
    return None if row is None else msgspec.convert(row, Delivery)


async def attempts_for_delivery(
    conn: Connection, *, tenant_id: UUID, delivery_id: UUID
) -> list[DeliveryAttempt]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(
        queries["attempts_for_delivery"], {"tenant_id": tenant_id, "delivery_id": delivery_id}
    )
    return msgspec.convert(await cur.fetchall(), list[DeliveryAttempt])


async def list_deliveries(
    conn: Connection,
    *,
    tenant_id: UUID,
    filters: DeliveryFilter,
    after: DeliveryPosition | None,
    limit: int,
) -> list[Delivery]:
    at, delivery_id = after if after is not None else (None, None)
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(
        queries["list_deliveries"],
        {
            "tenant_id": tenant_id,
            **msgspec.structs.asdict(filters),
            "after_at": at,
            "after_id": delivery_id,
            "limit": limit,
        },
        prepare=False,
    )
    return msgspec.convert(await cur.fetchall(), list[Delivery])


async def list_failed_records(
    conn: Connection,
    *,
    tenant_id: UUID,
    filters: FailedRecordFilter,
    after: RecordPosition | None,
    limit: int,
) -> list[FailedRecordView]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(
        queries["list_failed_records"],
        {
            "tenant_id": tenant_id,
            **msgspec.structs.asdict(filters),
            **_record_after(after),
            "limit": limit,
        },
        prepare=False,
    )
    return msgspec.convert(await cur.fetchall(), list[FailedRecordView])
