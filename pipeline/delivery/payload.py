"""Canonical ``Lead`` -> the flat JSON body Bonzo's "General" webhook reads.

The default layout is the ``DEFAULT_FIELDS`` table (documented in MAPPING.md, which a test
keeps in step with it); a tenant's ``PayloadMapping`` re-aims fields and adds constants.
Pure: no I/O, and the same inputs always give the same body.

Rules every body follows:

- Flat: Bonzo ignores nested objects, so nothing is nested.
- Absent values are left out, never sent empty: on a merge Bonzo could overwrite what the
  prospect already has with a blank.
- Values are strings (Bonzo reads them as strings), except ``user_id``. Money is written
  in dollars with cents only when there are cents (``"312400"``, ``"2145.50"``) and rates
  and percentages in percent points (``"6.25"``), from the shortest decimal that reads back
  as the same float, so ``7.76`` never becomes ``7.760000001`` nor ``776``.
- ``external_id`` is always our lead id, and ``notes`` always names the lead id, source and
  kind, so a prospect in Bonzo can be traced back to its lead.
- Custom fields only show in Bonzo when the tenant has created them there, so every value
  that has no native Bonzo key is also written to the notes, where it always shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal, NamedTuple

from pipeline.core.lead import Lead
from pipeline.delivery.schemas import (
    BONZO_GENERAL_KEYS,
    BONZO_MORTGAGE_KEYS,
    PayloadMapping,
)

__all__ = ["DEFAULT_FIELDS", "DEFAULT_MAPPING", "BonzoPayload", "FieldRule", "build_payload"]

BonzoPayload = dict[str, str | int]
"""A General-webhook body: string values, ``user_id`` an int; ready for JSON encoding."""

_CENT = Decimal("0.01")
_RATE_STEP = Decimal("0.001")  # rates are quoted to eighths (6.125); noise beyond is dropped


def _text(value: Any) -> str:
    return str(value).strip()


def _integer(value: Any) -> str:
    return str(int(value))


def _money_field(value: Any) -> str:
    amount = Decimal(repr(float(value))).quantize(_CENT, ROUND_HALF_EVEN)
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def _money_note(value: Any) -> str:
    amount = Decimal(_money_field(value))
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


def _percent_field(value: Any) -> str:
    rate = Decimal(repr(float(value))).quantize(_RATE_STEP, ROUND_HALF_EVEN).normalize()
    # normalize() writes 7 as "7" but 100 as "1E+2": the fixed-point format undoes that.
    return f"{rate:f}"


def _percent_note(value: Any) -> str:
    return _percent_field(value) + "%"


def _yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def _phones(value: Any) -> str:
    return ", ".join(value)


class FieldRule(NamedTuple):
    """Where one canonical field goes by default and how its value is written."""

    keys: tuple[str, ...]
    """Bonzo keys that receive the value; empty: notes only."""
    label: str
    """How the value is introduced in the notes."""
    field_format: Callable[[Any], str]
    """The value as a payload string."""
    note_format: Callable[[Any], str]
    """The value as people read it in the notes."""


_ValueKind = Literal["text", "integer", "money", "percent", "yes_no", "phones"]
_FORMATS: dict[_ValueKind, tuple[Callable[[Any], str], Callable[[Any], str]]] = {
    "text": (_text, _text),
    "integer": (_integer, _integer),
    "money": (_money_field, _money_note),
    "percent": (_percent_field, _percent_note),
    "yes_no": (_yes_no, _yes_no),
    "phones": (_phones, _phones),
}


def _rule(key: str, label: str, kind: _ValueKind = "text") -> FieldRule:
    field_format, note_format = _FORMATS[kind]
    return FieldRule((key,), label, field_format, note_format)


DEFAULT_FIELDS: Mapping[str, FieldRule] = {
    # Provenance: also summarised in the first notes line.
    "source": _rule("custom_Lead_Source", "Source"),
    "lead_kind": _rule("custom_Lead_Kind", "Lead kind"),
    "source_record_id": _rule("custom_Vendor_Record_ID", "Vendor record"),
    # Contact.
    "first_name": _rule("first_name", "First name"),
    "last_name": _rule("last_name", "Last name"),
    "email": _rule("email", "Email"),
    "phone": _rule("phone", "Phone"),
    "alt_phones": _rule("custom_Alternate_Phones", "Alternate phones", "phones"),
    "address": _rule("address", "Address"),
    "city": _rule("city", "City"),
    "state": _rule("state", "State"),
    "zip": _rule("zip", "ZIP"),
    # Credit: a vendor sends a grade *instead of* a score, and the normalizer then derives
    # a score from the grade. Bonzo's credit_score takes either, so the grade (what the
    # vendor actually said) wins the key and a derived score goes to the notes.
    "credit_grade": _rule("credit_score", "Credit grade"),
    "credit_score": _rule("credit_score", "Credit score", "integer"),
    # Property and loan.
    "property_value": _rule("property_value", "Property value", "money"),
    "loan_balance": _rule("loan_amount", "Loan balance", "money"),
    "current_rate": _rule("interest_rate", "Current rate", "percent"),
    "monthly_payment": _rule("custom_Monthly_Payment", "Monthly payment", "money"),
    "second_balance": _rule("custom_Second_Mortgage_Balance", "Second mortgage balance", "money"),
    "second_rate": _rule("custom_Second_Mortgage_Rate", "Second mortgage rate", "percent"),
    "additional_cash": _rule("cash_out_amount", "Additional cash", "money"),
    "down_payment": _rule("down_payment", "Down payment", "money"),
    "ltv": _rule("custom_LTV", "LTV", "percent"),
    "bid_loan_value": _rule("custom_Bid_Loan_Value", "Bid loan value", "money"),
    "cash_out": _rule("custom_Cash_Out", "Cash out", "yes_no"),
    "found_home": _rule("found_home", "Found home", "yes_no"),
    "va_eligible": _rule("custom_VA_Eligible", "VA eligible", "yes_no"),
    "has_second_mortgage": _rule("custom_Has_Second_Mortgage", "Has second mortgage", "yes_no"),
    "loan_type": _rule("loan_type", "Loan type"),
    "loan_purpose": _rule("loan_purpose", "Loan purpose"),
    "property_type": _rule("property_type", "Property type"),
    "property_use": _rule("property_use", "Property use"),
    "mortgage_open_date": _rule("custom_Mortgage_Open_Date", "Mortgage opened"),
    "trigger_date": _rule("custom_Trigger_Date", "Trigger date"),
    "consent_url": _rule("custom_Consent_URL", "Consent"),
}
"""Every canonical field except ``extra`` (vendor columns, always in the notes), in the
order that decides collisions: when two fields aim at the same key, the earlier one keeps
it and the later one is written to the notes instead, so no value is lost."""

DEFAULT_MAPPING = PayloadMapping()
"""No overrides: ``DEFAULT_FIELDS`` as is."""

_NATIVE_KEYS = BONZO_GENERAL_KEYS | BONZO_MORTGAGE_KEYS
# Already said in the first notes line; repeating them in the details would be noise.
_PROVENANCE_FIELDS = frozenset({"source", "lead_kind", "source_record_id"})


def build_payload(
    lead: Lead,
    *,
    lead_id: str,
    mapping: PayloadMapping = DEFAULT_MAPPING,
    user_id: int | None = None,
) -> BonzoPayload:
    """The General-webhook body for ``lead``.

    ``lead_id`` is leadgate's stable id for the lead, sent as ``external_id`` so retries
    and Bonzo's event hooks can be matched to it; it must not be empty. ``user_id`` (a
    routing decision made by the caller) overrides ``mapping.user_id``; with neither, the
    key is left out and Bonzo assigns the prospect to the webhook's owner. Campaigns are not
    a payload key: Bonzo ties a campaign to the webhook URL, so routing to a campaign is
    choosing the URL.
    """
    if not lead_id.strip():
        raise ValueError("lead_id must not be empty: Bonzo would get no external_id")

    payload: BonzoPayload = {}
    details: list[str] = []
    for field, rule in DEFAULT_FIELDS.items():
        value = _present(getattr(lead, field))
        if value is None or (field == "lead_kind" and value == "unknown"):
            continue
        keys = mapping.fields.get(field, rule.keys)
        written = [key for key in keys if key not in payload]
        for key in written:
            payload[key] = rule.field_format(value)
        if field not in _PROVENANCE_FIELDS and not any(key in _NATIVE_KEYS for key in written):
            details.append(f"{rule.label}: {rule.note_format(value)}")

    for key, constant in mapping.static.items():
        payload.setdefault(key, constant)
    assignee = user_id if user_id is not None else mapping.user_id
    if assignee is not None:
        payload["user_id"] = assignee
    payload["external_id"] = lead_id
    payload["notes"] = _notes(lead, lead_id=lead_id, details=details)
    return payload


def _present(value: Any) -> Any:
    """``value``, or ``None`` when there is nothing worth sending."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list | dict):
        return value or None
    if isinstance(value, float) and not math.isfinite(value):  # no meaning to send
        return None
    return value


def _notes(lead: Lead, *, lead_id: str, details: list[str]) -> str:
    kind = f"{lead.lead_kind} lead" if lead.lead_kind != "unknown" else "lead"
    header = f"leadgate lead {lead_id}: {kind} from {lead.source}"
    if _present(lead.source_record_id) is not None:
        header += f", vendor record {lead.source_record_id}"
    lines = [header]
    if details:
        lines.append("; ".join(details))
    if lead.extra:
        columns = "; ".join(f"{name}: {value}" for name, value in lead.extra.items() if value)
        if columns:
            lines.append(f"Vendor columns: {columns}")
    return "\n".join(lines)
