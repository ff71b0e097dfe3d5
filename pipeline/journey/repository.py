"""Journey data access: event hook codes, received events, prospect links, journey entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
from psycopg.rows import dict_row

from pipeline.core.db import Connection
from pipeline.core.queries import load_queries
from pipeline.journey.schemas import EventOutcome, JourneyEntry, LinkedBy, ProspectLink

__all__ = [
    "StoredEvent",
    "event_code",
    "finish_event",
    "insert_journey_entries",
    "insert_link",
    "journey_for_lead",
    "lead_for_prospect",
    "links_for_lead",
    "lock_link",
    "record_first_contact",
    "store_event",
    "update_link",
    "upsert_event_code",
]

queries = load_queries("pipeline.journey")


class StoredEvent(NamedTuple):
    id: UUID
    inserted: bool
    """False for a repeat of an event stored before."""
    outcome: EventOutcome | None
    received_at: datetime


async def event_code(conn: Connection, *, tenant_id: UUID) -> str | None:
    """The tenant's event hook code, still encrypted; ``None`` when none is set."""
    cur = await conn.execute(queries["event_code"], {"tenant_id": tenant_id})
    row = await cur.fetchone()
    return None if row is None else str(row[0])


async def upsert_event_code(conn: Connection, *, tenant_id: UUID, code_ciphertext: str) -> None:
    await conn.execute(
        queries["upsert_event_code"], {"tenant_id": tenant_id, "code_ciphertext": code_ciphertext}
    )


async def store_event(
    conn: Connection,
    *,
    tenant_id: UUID,
    idempotency_key: str,
    event: str,
    bonzo_prospect_id: int | None,
    body: str,
) -> StoredEvent:
    """Store a received event, or count a repeat of it; either way its row stays locked
    until the transaction ends."""
    cur = await conn.execute(
        queries["store_event"],
        {
            "tenant_id": tenant_id,
            "idempotency_key": idempotency_key,
            "event": event,
            "bonzo_prospect_id": bonzo_prospect_id,
            "body": body,
        },
    )
    row = await cur.fetchone()
    assert row is not None
    return StoredEvent(row[0], row[1], row[2], row[3])


async def finish_event(
    conn: Connection,
    *,
    tenant_id: UUID,
    event_id: UUID,
    outcome: EventOutcome,
    detail: str | None,
    lead_id: UUID | None,
) -> None:
    await conn.execute(
        queries["finish_event"],
        {
            "tenant_id": tenant_id,
            "event_id": event_id,
            "outcome": outcome,
            "detail": detail,
            "lead_id": lead_id,
        },
    )


async def lock_link(
    conn: Connection, *, tenant_id: UUID, bonzo_prospect_id: int
) -> ProspectLink | None:
    """The prospect's link, locked for this transaction: events about one prospect are
    applied one at a time."""
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(
        queries["lock_link"], {"tenant_id": tenant_id, "bonzo_prospect_id": bonzo_prospect_id}
    )
    row = await cur.fetchone()
    return None if row is None else msgspec.convert(row, ProspectLink)


async def lead_for_prospect(
    conn: Connection,
    *,
    tenant_id: UUID,
    external_id: UUID | None,
    phone: str | None,
    email: str | None,
) -> tuple[UUID, LinkedBy] | None:
    cur = await conn.execute(
        queries["lead_for_prospect"],
        {"tenant_id": tenant_id, "external_id": external_id, "phone": phone, "email": email},
    )
    row = await cur.fetchone()
    return None if row is None else (row[0], row[1])


async def insert_link(
    conn: Connection, *, tenant_id: UUID, bonzo_prospect_id: int, lead_id: UUID, linked_by: LinkedBy
) -> bool:
    """Whether this call created the link (false: a concurrent event created it first)."""
    cur = await conn.execute(
        queries["insert_link"],
        {
            "tenant_id": tenant_id,
            "bonzo_prospect_id": bonzo_prospect_id,
            "lead_id": lead_id,
            "linked_by": linked_by,
        },
    )
    return await cur.fetchone() is not None


async def update_link(conn: Connection, *, tenant_id: UUID, link: ProspectLink) -> None:
    await conn.execute(
        queries["update_link"],
        {
            "tenant_id": tenant_id,
            "bonzo_prospect_id": link.bonzo_prospect_id,
            "status": link.status,
            "pipeline_stage": link.pipeline_stage,
            "assigned_to": link.assigned_to,
            "dnc": link.dnc,
            "opt_outs": link.opt_outs,
            "last_contact_at": link.last_contact_at,
            "bad_phone": link.bad_phone,
            "bad_email": link.bad_email,
            "bonzo_updated_at": link.bonzo_updated_at,
        },
    )


async def insert_journey_entries(
    conn: Connection,
    *,
    tenant_id: UUID,
    lead_id: UUID,
    event_id: UUID,
    entries: Sequence[JourneyEntry],
) -> None:
    rows: list[dict[str, Any]] = [
        {
            "tenant_id": tenant_id,
            "lead_id": lead_id,
            "event_id": event_id,
            "bonzo_prospect_id": entry.bonzo_prospect_id,
            "kind": entry.kind,
            "value": entry.value,
            "previous": entry.previous,
            "channel": entry.channel,
            "message_id": entry.message_id,
            "occurred_at": entry.occurred_at,
            "recorded_at": entry.recorded_at,
        }
        for entry in entries
    ]
    async with conn.cursor() as cur:
        await cur.executemany(queries["insert_journey_entry"], rows)


async def record_first_contact(
    conn: Connection,
    *,
    tenant_id: UUID,
    lead_id: UUID,
    contacted_at: datetime,
    clock_skew: timedelta,
) -> bool:
    """Set the lead's first-contact time if ``contacted_at`` is earlier than the one it has
    (or it has none). Returns whether it changed."""
    cur = await conn.execute(
        queries["record_first_contact"],
        {
            "tenant_id": tenant_id,
            "lead_id": lead_id,
            "contacted_at": contacted_at,
            "clock_skew": clock_skew,
        },
    )
    return cur.rowcount == 1


async def journey_for_lead(
    conn: Connection, *, tenant_id: UUID, lead_id: UUID
) -> list[JourneyEntry]:
    """The lead's journey, oldest first."""
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(queries["journey_for_lead"], {"tenant_id": tenant_id, "lead_id": lead_id})
    return msgspec.convert(await cur.fetchall(), list[JourneyEntry])


async def links_for_lead(conn: Connection, *, tenant_id: UUID, lead_id: UUID) -> list[ProspectLink]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(queries["links_for_lead"], {"tenant_id": tenant_id, "lead_id": lead_id})
    return msgspec.convert(await cur.fetchall(), list[ProspectLink])
