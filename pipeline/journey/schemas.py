"""The journey's vocabulary: what leadgate reads out of a Bonzo event hook, the link from a
Bonzo prospect to our lead, and the journey entries a lead's history is made of."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal
from uuid import UUID

from msgspec import UNSET, UnsetType

from pipeline.core.structs import Frozen

__all__ = [
    "APPLIED_EVENTS",
    "CONTACT_STATUSES",
    "FAILED_STATUSES",
    "MESSAGE_UPDATED",
    "PROSPECT_CREATED",
    "PROSPECT_UPDATED",
    "EventOutcome",
    "EventReceipt",
    "JourneyEntry",
    "JourneyKind",
    "LinkedBy",
    "OutgoingMessage",
    "ProspectEvent",
    "ProspectLink",
    "ProspectSnapshot",
]

PROSPECT_CREATED: Final = "prospects.created"
PROSPECT_UPDATED: Final = "prospects.updated"
MESSAGE_UPDATED: Final = "messages.outgoing.updated"
APPLIED_EVENTS: Final = frozenset({PROSPECT_CREATED, PROSPECT_UPDATED, MESSAGE_UPDATED})
"""Events that change the journey; any other event is stored and ignored."""

CONTACT_STATUSES: Final = frozenset({"sent", "delivered"})
"""Outgoing message statuses that mean the prospect was reached out to."""
FAILED_STATUSES: Final = frozenset({"error", "failed", "bounced", "undeliverable"})
"""Outgoing message statuses that mark the phone (sms) or email address (email) as bad."""

EventOutcome = Literal["applied", "ignored", "unlinked", "stale"]
"""``ignored``: not an event the journey follows, or no prospect id. ``unlinked``: no lead
of ours matches the prospect. ``stale``: the prospect snapshot is older than one already
applied, and the event carried nothing else."""
LinkedBy = Literal["external_id", "phone", "email"]
JourneyKind = Literal[
    "linked",
    "status",
    "pipeline_stage",
    "assignment",
    "dnc",
    "opt_outs",
    "last_contact",
    "contact_attempt",
    "bad_phone",
    "bad_email",
]


class ProspectSnapshot(Frozen):
    """The parts of a Bonzo prospect the journey follows, as one event showed it.

    A followed field the event did not carry is ``UNSET`` (what we know stays); a field
    carried as null is ``None`` (e.g. the prospect was unassigned).
    """

    id: int
    external_id: str | None = None
    phone: str | None = None
    """Ten digits, as leads store phones (Bonzo sends E.164)."""
    email: str | None = None
    """Lower-cased, as leads store emails."""
    status: str | UnsetType | None = UNSET
    pipeline_stage: str | UnsetType | None = UNSET
    assigned_to: str | UnsetType | None = UNSET
    """The Bonzo user id the prospect is assigned to."""
    dnc: bool | UnsetType | None = UNSET
    opt_outs: str | UnsetType | None = UNSET
    """Canonical JSON (sorted keys) of Bonzo's opt-outs; ``None`` for none."""
    last_contact_at: datetime | UnsetType | None = UNSET
    updated_at: datetime | None = None


class OutgoingMessage(Frozen):
    """``additional.message`` of a ``messages.outgoing.updated`` event."""

    id: str | None
    channel: str | None
    """``sms`` or ``email`` as Bonzo says it."""
    status: str | None
    at: datetime | None
    """When Bonzo says the message changed (its updated_at, else created_at)."""


class ProspectEvent(Frozen):
    """One Bonzo event hook body, read leniently: whatever could not be read is ``None``."""

    event: str
    """The event name, ``""`` when the body has none."""
    idempotency_key: str
    prospect: ProspectSnapshot | None = None
    message: OutgoingMessage | None = None


class EventReceipt(Frozen):
    """What the event hook endpoint answers Bonzo."""

    event_id: UUID
    repeat: bool
    """The same event was received before; nothing was stored again."""
    outcome: EventOutcome | None
    """``None`` when the event is stored but could not be applied (logged; it is applied
    again if Bonzo repeats it)."""


class ProspectLink(Frozen):
    """A Bonzo prospect linked to our lead, with its latest known state."""

    bonzo_prospect_id: int
    lead_id: UUID
    linked_by: LinkedBy
    status: str | None
    pipeline_stage: str | None
    assigned_to: str | None
    dnc: bool | None
    opt_outs: str | None
    last_contact_at: datetime | None
    bad_phone: bool
    bad_email: bool
    bonzo_updated_at: datetime | None
    linked_at: datetime


class JourneyEntry(Frozen):
    """One thing that happened to a lead in Bonzo. ``value``/``previous`` are text: a
    status or stage name, a user id, ``true``/``false``, a timestamp, or (for a contact
    attempt) the message status."""

    kind: JourneyKind
    bonzo_prospect_id: int
    value: str | None
    previous: str | None
    channel: str | None
    """``sms``/``email`` for contact attempts."""
    message_id: str | None
    occurred_at: datetime
    """Bonzo's time for the change when the event carried one, else when it arrived."""
    recorded_at: datetime
    """When leadgate received the event that recorded the change."""
