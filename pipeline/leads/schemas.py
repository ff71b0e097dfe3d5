"""What the read side returns: leads, failed records and deliveries, one page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pipeline.core.lead import Lead, LeadKind
from pipeline.core.records import FieldIssue
from pipeline.core.structs import Frozen
from pipeline.journey.schemas import JourneyEntry, ProspectLink

__all__ = [
    "Delivery",
    "DeliveryAttempt",
    "DeliveryFilter",
    "DeliveryPage",
    "DeliveryStatus",
    "FailedRecordFilter",
    "FailedRecordPage",
    "FailedRecordView",
    "LeadDetail",
    "LeadFilter",
    "LeadPage",
    "LeadStatus",
    "LeadSummary",
]

LeadStatus = Literal["ok", "duplicate", "held_compliance"]
DeliveryStatus = Literal["pending", "delivered", "failed", "dead"]


class LeadFilter(Frozen):
    """Every filter given narrows the list; times are compared with ``received_at``
    (``since`` inclusive, ``until`` exclusive)."""

    source: str | None = None
    status: LeadStatus | None = None
    state: str | None = None
    batch_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class FailedRecordFilter(Frozen):
    """Times are compared with ``created_at``."""

    source: str | None = None
    batch_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class DeliveryFilter(Frozen):
    """Times are compared with the delivery's ``created_at`` (when its lead was accepted)."""

    status: DeliveryStatus | None = None
    source: str | None = None
    batch_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class LeadSummary(Frozen):
    id: UUID
    batch_id: UUID
    record_number: int
    source: str
    status: LeadStatus
    lead_kind: LeadKind
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    state: str | None
    received_at: datetime
    first_contact_at: datetime | None
    delivery_status: DeliveryStatus | None
    """``None`` for leads never queued for delivery (duplicates, compliance holds)."""


class LeadPage(Frozen):
    items: list[LeadSummary]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; ``None`` on the last page."""


class Delivery(Frozen):
    """A lead's delivery to Bonzo (the outbox row) and where it stands."""

    id: UUID
    lead_id: UUID
    batch_id: UUID
    source: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error_class: str | None
    last_error: str | None
    field_errors: dict[str, list[str]] | None
    """Bonzo's 422 field errors from the last attempt."""
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DeliveryPage(Frozen):
    items: list[Delivery]
    next_cursor: str | None


class DeliveryAttempt(Frozen):
    """One post to Bonzo, as logged."""

    attempt_number: int
    trigger: Literal["auto", "retry", "manual", "replay"]
    endpoint_hint: str
    request_payload: dict[str, Any]
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error_class: str | None
    error_detail: str | None
    outcome: Literal["delivered", "retry", "failed", "dead", "endpoint_disabled"]
    next_attempt_at: datetime | None
    created_at: datetime


class LeadDetail(Frozen):
    """One lead with everything known about it."""

    id: UUID
    batch_id: UUID
    record_number: int
    status: LeadStatus
    duplicate_of: UUID | None
    hold_reason: str | None
    received_at: datetime
    first_contact_at: datetime | None
    lead: Lead
    """The normalized fields."""
    warnings: list[FieldIssue]
    raw: dict[str, Any]
    """The record as the vendor sent it, in the vendor's column order."""
    delivery: Delivery | None
    """None for a duplicate or held lead, and for an accepted lead of a big file that is
    still waiting for its outbox row (``delivery_status`` says pending)."""
    delivery_status: DeliveryStatus | None
    """As in the lead list: the delivery's status, pending for an accepted lead still
    waiting for its outbox row, None when the lead is not to be delivered."""
    attempts: list[DeliveryAttempt]
    """Every post to Bonzo, oldest first."""
    prospects: list[ProspectLink]
    """The Bonzo prospects linked to this lead, with their latest known state."""
    journey: list[JourneyEntry]
    """What happened in Bonzo, oldest first."""


class FailedRecordView(Frozen):
    id: UUID
    batch_id: UUID
    record_number: int
    source: str
    errors: list[FieldIssue]
    raw: dict[str, Any]
    created_at: datetime


class FailedRecordPage(Frozen):
    items: list[FailedRecordView]
    next_cursor: str | None
