"""The canonical lead: what every vendor record becomes after normalization.

Field names are a contract: ``leadgate normalize`` prints them as JSON keys, the database
stores them, and the Bonzo payload mapping reads them. Every field is optional here; the
normalizer decides what a deliverable lead must have (a first name and a phone or email).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from pipeline.core.structs import Struct

__all__ = ["LEAD_FIELDS", "Lead", "LeadKind"]

LeadKind = Literal["trigger", "prescreen", "web", "aggregator", "unknown"]


class Lead(Struct, omit_defaults=False):
    source: str
    source_record_id: str | None = None
    lead_kind: LeadKind = "unknown"
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    alt_phones: list[str] = msgspec.field(default_factory=list)
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    credit_score: int | None = None
    credit_grade: str | None = None
    property_value: float | None = None
    loan_balance: float | None = None
    current_rate: float | None = None
    monthly_payment: float | None = None
    second_balance: float | None = None
    second_rate: float | None = None
    additional_cash: float | None = None
    down_payment: float | None = None
    ltv: float | None = None
    bid_loan_value: float | None = None
    cash_out: bool | None = None
    found_home: bool | None = None
    va_eligible: bool | None = None
    has_second_mortgage: bool | None = None
    loan_type: str | None = None
    loan_purpose: str | None = None
    property_type: str | None = None
    property_use: str | None = None
    mortgage_open_date: str | None = None  # YYYY-MM-DD
    trigger_date: str | None = None  # YYYY-MM-DD
    consent_url: str | None = None
    # Every non-empty vendor column that no rule maps, keyed by the vendor's header.
    extra: dict[str, str] = msgspec.field(default_factory=dict)


LEAD_FIELDS: tuple[str, ...] = Lead.__struct_fields__
