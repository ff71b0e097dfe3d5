"""Delivery data access: leases on outbox rows, the attempt log, endpoint state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from pipeline.core.db import Connection
from pipeline.core.queries import load_queries

__all__ = [
    "AttemptRow",
    "ClaimedDelivery",
    "EndpointRow",
    "claim_deliveries",
    "claim_due_for_enqueue",
    "claimed_leads",
    "delivery_status_for_lead",
    "disable_endpoint",
    "endpoint_failed",
    "endpoint_for_delivery",
    "endpoint_succeeded",
    "ensure_partitions",
    "expand_deferred_outbox",
    "insert_attempts",
    "notify_tenant",
    "open_circuit",
    "record_outcomes",
    "release_claims",
    "replay_deliveries",
]

queries = load_queries("pipeline.delivery")

# id, lead_id, attempt_count, next_trigger
ClaimedDelivery = tuple[UUID, UUID, int, str]
# url_ciphertext, url_hint, retry_schedule, payload_mapping, max_concurrency, max_per_second, consecutive_failures
EndpointRow = tuple[str, str, Any, Any, int, int, int]
AttemptRow = dict[str, Any]


async def claim_deliveries(
    conn: Connection, *, tenant_id: UUID, ids: Sequence[UUID], lease: timedelta, worker: str
) -> list[ClaimedDelivery]:
    cur = await conn.execute(
        queries["claim_deliveries"],
        {"tenant_id": tenant_id, "ids": list(ids), "lease": lease, "worker": worker},
    )
    return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]


async def claimed_leads(
    conn: Connection, *, tenant_id: UUID, ids: Sequence[UUID]
) -> dict[UUID, str]:
    """delivery id -> the lead as JSON text in ``Lead``'s shape."""
    cur = await conn.execute(queries["claimed_leads"], {"tenant_id": tenant_id, "ids": list(ids)})
    return {r[0]: r[1] for r in await cur.fetchall()}


async def endpoint_for_delivery(conn: Connection, *, tenant_id: UUID) -> EndpointRow | None:
    cur = await conn.execute(queries["endpoint_for_delivery"], {"tenant_id": tenant_id})
    row = await cur.fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5], row[6])


async def insert_attempts(conn: Connection, attempts: Sequence[AttemptRow]) -> None:
    rows = [{**a, "request_payload": Jsonb(a["request_payload"])} for a in attempts]
    async with conn.cursor() as cur:
        await cur.executemany(queries["insert_attempt"], rows)


async def record_outcomes(conn: Connection, outcomes: Sequence[dict[str, Any]]) -> None:
    rows = [
        {**o, "field_errors": None if o["field_errors"] is None else Jsonb(o["field_errors"])}
        for o in outcomes
    ]
    async with conn.cursor() as cur:
        await cur.executemany(queries["record_outcome"], rows)


async def release_claims(
    conn: Connection,
    *,
    tenant_id: UUID,
    ids: Sequence[UUID],
    worker: str,
    next_attempt_at: datetime,
) -> None:
    await conn.execute(
        queries["release_claims"],
        {
            "tenant_id": tenant_id,
            "ids": list(ids),
            "worker": worker,
            "next_attempt_at": next_attempt_at,
        },
    )


async def endpoint_succeeded(conn: Connection, *, tenant_id: UUID) -> None:
    await conn.execute(queries["endpoint_succeeded"], {"tenant_id": tenant_id})


async def endpoint_failed(conn: Connection, *, tenant_id: UUID, failures: int) -> int:
    """Add ``failures`` to the endpoint's consecutive failures; returns the new count."""
    cur = await conn.execute(
        queries["endpoint_failed"], {"tenant_id": tenant_id, "failures": failures}
    )
    row = await cur.fetchone()
    return 0 if row is None else int(row[0])


async def open_circuit(conn: Connection, *, tenant_id: UUID, seconds: float) -> None:
    await conn.execute(queries["open_circuit"], {"tenant_id": tenant_id, "seconds": seconds})


async def disable_endpoint(conn: Connection, *, tenant_id: UUID, reason: str) -> bool:
    """Returns whether this call disabled it (false when it already was)."""
    cur = await conn.execute(
        queries["disable_endpoint"], {"tenant_id": tenant_id, "reason": reason}
    )
    return await cur.fetchone() is not None


async def notify_tenant(conn: Connection, *, tenant_id: UUID, kind: str, message: str) -> None:
    await conn.execute(
        queries["notify_tenant"], {"tenant_id": tenant_id, "kind": kind, "message": message}
    )


async def claim_due_for_enqueue(
    conn: Connection, *, limit: int, grace: timedelta, requeue_after: timedelta
) -> list[tuple[UUID, UUID]]:
    cur = await conn.execute(
        queries["claim_due_for_enqueue"],
        {"limit": limit, "grace": grace, "requeue_after": requeue_after},
    )
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def expand_deferred_outbox(
    conn: Connection, *, backlog: int, limit: int
) -> list[tuple[UUID, UUID]]:
    """Outbox rows for big files' waiting leads (migration 0007), as (tenant, delivery)."""
    cur = await conn.execute(
        queries["expand_deferred_outbox"], {"backlog": backlog, "limit": limit}
    )
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def ensure_partitions(conn: Connection, *, months_ahead: int) -> int:
    cur = await conn.execute(queries["ensure_partitions"], {"months_ahead": months_ahead})
    row = await cur.fetchone()
    return 0 if row is None else int(row[0])


async def replay_deliveries(
    conn: Connection,
    *,
    tenant_id: UUID,
    statuses: Sequence[str],
    trigger: str,
    lead_id: UUID | None = None,
    batch_id: UUID | None = None,
    source: str | None = None,
    since: datetime | None = None,
) -> list[UUID]:
    cur = await conn.execute(
        queries["replay_deliveries"],
        {
            "tenant_id": tenant_id,
            "statuses": list(statuses),
            "trigger": trigger,
            "lead_id": lead_id,
            "batch_id": batch_id,
            "source": source,
            "since": since,
        },
    )
    return [r[0] for r in await cur.fetchall()]


async def delivery_status_for_lead(
    conn: Connection, *, tenant_id: UUID, lead_id: UUID
) -> str | None:
    cur = await conn.execute(
        queries["delivery_status_for_lead"], {"tenant_id": tenant_id, "lead_id": lead_id}
    )
    row = await cur.fetchone()
    return None if row is None else str(row[0])
