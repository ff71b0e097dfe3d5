"""Recording and reading a tenant's audit log.

The log is append-only in the database itself (triggers abort UPDATE and DELETE), so not
even a bug in this code can rewrite history. Changes and their events are written in one
batch: an event exists exactly when its change happened.
"""

from __future__ import annotations

from datetime import datetime

from tenant_auth.audit import repository
from tenant_auth.audit.schemas import AuditAction, AuditDetail, AuditEvent, AuditOutcome
from tenant_auth.core.clock import utc_now
from tenant_auth.core.libsql import LibsqlDatabase, Statement

__all__ = ["audit_statement", "list_events", "record_event"]

_NEWEST = 2**63 - 1


def audit_statement(
    action: AuditAction,
    *,
    actor: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    target: str | None = None,
    detail: AuditDetail | None = None,
    only_if_changed: bool = False,
    now: datetime | None = None,
) -> Statement:
    """The INSERT for one event, to batch with the change it records.

    ``only_if_changed``: place it right after the change; it inserts only if that
    statement changed a row.
    """
    return repository.insert_event(
        occurred_at=now or utc_now(),
        action=action.value,
        outcome=outcome,
        actor=actor,
        target=target,
        detail=detail or {},
        only_if_changed=only_if_changed,
    )


async def record_event(
    db: LibsqlDatabase,
    action: AuditAction,
    *,
    actor: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    target: str | None = None,
    detail: AuditDetail | None = None,
) -> None:
    """Append one event on its own (sign-ins, exports, refusals)."""
    await db.write(
        audit_statement(action, actor=actor, outcome=outcome, target=target, detail=detail)
    )


async def list_events(
    db: LibsqlDatabase, *, limit: int = 100, before_id: int | None = None
) -> list[AuditEvent]:
    """Newest first; page with ``before_id`` = the smallest id of the previous page."""
    return await repository.list_events(
        db, limit=limit, before_id=_NEWEST if before_id is None else before_id
    )
