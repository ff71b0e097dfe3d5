"""Applying a stored Bonzo event to the journey: link the prospect to our lead, record
what changed since the last event, count contact attempts, mark bad phones and emails,
and set the lead's first-contact time. Runs in the receiving transaction's savepoint."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

import msgspec

from pipeline.core.db import Connection
from pipeline.journey import repository
from pipeline.journey.schemas import (
    APPLIED_EVENTS,
    CONTACT_STATUSES,
    FAILED_STATUSES,
    EventOutcome,
    JourneyEntry,
    JourneyKind,
    ProspectEvent,
    ProspectLink,
    ProspectSnapshot,
)

__all__ = ["CLOCK_SKEW", "apply_event"]

log = logging.getLogger(__name__)

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far Bonzo's clock may be behind ours before a contact time is taken to predate the
lead (and so to belong to an older prospect Bonzo merged the lead into)."""

# Followed prospect fields -> the journey entry kind a change of each one is.
_FOLLOWED: Final[tuple[tuple[str, JourneyKind], ...]] = (
    ("status", "status"),
    ("pipeline_stage", "pipeline_stage"),
    ("assigned_to", "assignment"),
    ("dnc", "dnc"),
    ("opt_outs", "opt_outs"),
    ("last_contact_at", "last_contact"),
)


async def apply_event(
    conn: Connection,
    *,
    tenant_id: UUID,
    event_id: UUID,
    event: ProspectEvent,
    received_at: datetime,
) -> EventOutcome:
    """Link the event's prospect to a lead and append what changed to the lead's journey,
    in the caller's transaction. Records and returns the outcome."""
    prospect = event.prospect
    if event.event not in APPLIED_EVENTS or prospect is None:
        detail = (
            "no prospect id"
            if event.event in APPLIED_EVENTS
            else "not an event the journey follows"
        )
        log.info(
            "bonzo event ignored",
            extra={"tenant_id": str(tenant_id), "event": event.event[:60], "reason": detail},
        )
        await repository.finish_event(
            conn,
            tenant_id=tenant_id,
            event_id=event_id,
            outcome="ignored",
            detail=detail,
            lead_id=None,
        )
        return "ignored"

    link, linked_now = await _link(conn, tenant_id=tenant_id, prospect=prospect)
    if link is None:
        await repository.finish_event(
            conn,
            tenant_id=tenant_id,
            event_id=event_id,
            outcome="unlinked",
            detail="no lead matches the prospect's external_id, phone or email",
            lead_id=None,
        )
        return "unlinked"

    occurred_at = prospect.updated_at or received_at
    entries: list[JourneyEntry] = []
    if linked_now:
        entries.append(
            _entry("linked", link, received_at, value=link.linked_by, occurred_at=occurred_at)
        )
    stale = (
        prospect.updated_at is not None
        and link.bonzo_updated_at is not None
        and prospect.updated_at < link.bonzo_updated_at
    )
    changed = link
    if not stale:
        changed, changes = _with_snapshot(link, prospect, occurred_at, received_at)
        entries.extend(changes)
    contacts: list[datetime] = []
    if changed.last_contact_at is not None and changed.last_contact_at != link.last_contact_at:
        contacts.append(changed.last_contact_at)
    message_entries = _message_entries(event, changed, received_at)
    if message_entries:
        entries.extend(message_entries)
        changed = _with_bad_contact(changed, message_entries)
        message = event.message
        assert message is not None
        if message.status in CONTACT_STATUSES:
            contacts.append(message.at or received_at)

    if changed != link:
        await repository.update_link(conn, tenant_id=tenant_id, link=changed)
    if entries:
        await repository.insert_journey_entries(
            conn, tenant_id=tenant_id, lead_id=link.lead_id, event_id=event_id, entries=entries
        )
    if contacts:
        await repository.record_first_contact(
            conn,
            tenant_id=tenant_id,
            lead_id=link.lead_id,
            contacted_at=min(contacts),
            clock_skew=CLOCK_SKEW,
        )
    outcome: EventOutcome = "stale" if stale and not message_entries else "applied"
    await repository.finish_event(
        conn,
        tenant_id=tenant_id,
        event_id=event_id,
        outcome=outcome,
        detail="an older snapshot than one already applied" if outcome == "stale" else None,
        lead_id=link.lead_id,
    )
    return outcome


async def _link(
    conn: Connection, *, tenant_id: UUID, prospect: ProspectSnapshot
) -> tuple[ProspectLink | None, bool]:
    """The prospect's link (locked), creating it on the first event we can match; and
    whether this call created it."""
    link = await repository.lock_link(conn, tenant_id=tenant_id, bonzo_prospect_id=prospect.id)
    if link is not None:
        return link, False
    match = await repository.lead_for_prospect(
        conn,
        tenant_id=tenant_id,
        external_id=_uuid(prospect.external_id),
        phone=prospect.phone,
        email=prospect.email,
    )
    if match is None:
        return None, False
    lead_id, linked_by = match
    created = await repository.insert_link(
        conn,
        tenant_id=tenant_id,
        bonzo_prospect_id=prospect.id,
        lead_id=lead_id,
        linked_by=linked_by,
    )
    link = await repository.lock_link(conn, tenant_id=tenant_id, bonzo_prospect_id=prospect.id)
    return link, created


def _with_snapshot(
    link: ProspectLink, prospect: ProspectSnapshot, occurred_at: datetime, received_at: datetime
) -> tuple[ProspectLink, list[JourneyEntry]]:
    """``link`` with the snapshot's followed fields, and an entry per field that changed."""
    updates: dict[str, Any] = {}
    entries: list[JourneyEntry] = []
    for field, kind in _FOLLOWED:
        new = getattr(prospect, field)
        old = getattr(link, field)
        if new is msgspec.UNSET or new == old:
            continue
        updates[field] = new
        entries.append(
            _entry(
                kind,
                link,
                received_at,
                value=_as_text(new),
                previous=_as_text(old),
                occurred_at=occurred_at,
            )
        )
    if prospect.updated_at is not None:
        updates["bonzo_updated_at"] = prospect.updated_at
    return (msgspec.structs.replace(link, **updates) if updates else link), entries


def _message_entries(
    event: ProspectEvent, link: ProspectLink, received_at: datetime
) -> list[JourneyEntry]:
    """A contact attempt for an outgoing message, and a bad phone/email entry the first
    time a message to it fails."""
    message = event.message
    if message is None or message.status is None:
        return []
    occurred_at = message.at or received_at
    entries = [
        _entry(
            "contact_attempt",
            link,
            received_at,
            value=message.status,
            channel=message.channel,
            message_id=message.id,
            occurred_at=occurred_at,
        )
    ]
    if message.status in FAILED_STATUSES:
        if message.channel == "sms" and not link.bad_phone:
            entries.append(
                _entry("bad_phone", link, received_at, value="true", occurred_at=occurred_at)
            )
        elif message.channel == "email" and not link.bad_email:
            entries.append(
                _entry("bad_email", link, received_at, value="true", occurred_at=occurred_at)
            )
    return entries


def _with_bad_contact(link: ProspectLink, entries: list[JourneyEntry]) -> ProspectLink:
    kinds = {entry.kind for entry in entries}
    if "bad_phone" in kinds:
        link = msgspec.structs.replace(link, bad_phone=True)
    if "bad_email" in kinds:
        link = msgspec.structs.replace(link, bad_email=True)
    return link


def _entry(
    kind: JourneyKind,
    link: ProspectLink,
    recorded_at: datetime,
    *,
    value: str | None,
    occurred_at: datetime,
    previous: str | None = None,
    channel: str | None = None,
    message_id: str | None = None,
) -> JourneyEntry:
    return JourneyEntry(
        kind=kind,
        bonzo_prospect_id=link.bonzo_prospect_id,
        value=value,
        previous=previous,
        channel=channel,
        message_id=message_id,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
    )


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _uuid(value: str | None) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None
