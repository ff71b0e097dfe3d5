"""audit_event rows. Write functions build statements for the caller's batch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from tenant_auth.audit.schemas import AuditDetail, AuditEvent, AuditOutcome
from tenant_auth.core.clock import from_db_time, to_db_time
from tenant_auth.core.libsql import LibsqlDatabase, Statement, row_int, row_opt_str, row_str
from tenant_auth.core.sqlfiles import load_queries

__all__ = ["insert_event", "list_events"]

_SQL = load_queries(__package__)
_detail_decoder = msgspec.json.Decoder(dict[str, Any])


def insert_event(
    *,
    occurred_at: datetime,
    action: str,
    outcome: AuditOutcome,
    actor: str,
    target: str | None,
    detail: AuditDetail,
    only_if_changed: bool,
) -> Statement:
    query = _SQL["insert_event_if_changed"] if only_if_changed else _SQL["insert_event"]
    return Statement(
        query,
        {
            "occurred_at": to_db_time(occurred_at),
            "action": action,
            "outcome": outcome.value,
            "actor": actor,
            "target": target,
            "detail": msgspec.json.encode(dict(detail)).decode(),
        },
    )


async def list_events(db: LibsqlDatabase, *, limit: int, before_id: int) -> list[AuditEvent]:
    result = await db.read(Statement(_SQL["list_events"], {"limit": limit, "before_id": before_id}))
    return [
        AuditEvent(
            id=row_int(row, "id"),
            occurred_at=from_db_time(row_str(row, "occurred_at")),
            action=row_str(row, "action"),
            outcome=AuditOutcome(row_str(row, "outcome")),
            actor=row_str(row, "actor"),
            target=row_opt_str(row, "target"),
            detail=_detail_decoder.decode(row_str(row, "detail")),
        )
        for row in result.rows
    ]
