"""One record through every rule: a deliverable ``Lead`` with warnings, or a failed record.

Every rule maps one raw string to the field's value, ``None`` (blank), or a ``Rejected``
(a warning; the value becomes ``None``). Rules are pure and the ones whose values repeat
across a file are memoized, so the common record costs one dictionary comprehension of
cache hits plus the few unique values (phones, email, street line, amounts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import msgspec

from pipeline.core.lead import Lead
from pipeline.core.records import FailedRecord, FieldIssue, NormalizedLead, RawRecord
from pipeline.normalize.amounts import normalize_amount, normalize_ltv, normalize_rate
from pipeline.normalize.booleans import normalize_boolean
from pipeline.normalize.config import DEFAULT_CONFIG, NormalizeConfig
from pipeline.normalize.contact import choose_phones, normalize_email
from pipeline.normalize.credit import (
    apply_grade_scores,
    normalize_credit_grade,
    parse_credit_value,
)
from pipeline.normalize.dates import normalize_date
from pipeline.normalize.issues import Rejected
from pipeline.normalize.names import normalize_name
from pipeline.normalize.postal import normalize_address, normalize_state, normalize_zip
from pipeline.normalize.text import (
    normalize_consent_url,
    normalize_free_text,
    normalize_identifier,
    normalize_lead_kind,
)

__all__ = ["normalize_field", "normalize_item", "normalize_record"]

_RULES: Final[dict[str, Callable[[str], object]]] = {
    "source": normalize_identifier,
    "source_record_id": normalize_identifier,
    "lead_kind": normalize_lead_kind,
    "first_name": normalize_name,
    "last_name": normalize_name,
    "email": normalize_email,
    "address": normalize_address,
    "city": normalize_name,
    "state": normalize_state,
    "zip": normalize_zip,
    # A score (int) or a grade (str) that the tenant's configuration turns into a score.
    "credit_score": parse_credit_value,
    "credit_grade": normalize_credit_grade,
    "property_value": normalize_amount,
    "loan_balance": normalize_amount,
    "current_rate": normalize_rate,
    "monthly_payment": normalize_amount,
    "second_balance": normalize_amount,
    "second_rate": normalize_rate,
    "additional_cash": normalize_amount,
    "down_payment": normalize_amount,
    "ltv": normalize_ltv,
    "bid_loan_value": normalize_amount,
    "cash_out": normalize_boolean,
    "found_home": normalize_boolean,
    "va_eligible": normalize_boolean,
    "has_second_mortgage": normalize_boolean,
    "loan_type": normalize_free_text,
    "loan_purpose": normalize_free_text,
    "property_type": normalize_free_text,
    "property_use": normalize_free_text,
    "mortgage_open_date": normalize_date,
    "trigger_date": normalize_date,
    "consent_url": normalize_consent_url,
}
# What a rejected value becomes: ``None``, except where the Lead has another default.
_REJECTED_VALUE: Final[dict[str, object]] = {"lead_kind": "unknown"}
_PHONE_FIELDS: Final = ("phone", "alt_phones")
_SET_BY_SERVICE: Final = frozenset({"phone", "alt_phones", "extra"})


def normalize_record(
    record: RawRecord, *, config: NormalizeConfig = DEFAULT_CONFIG
) -> NormalizedLead | FailedRecord:
    """Apply every data rule to one record; never raises on any field value.

    A bad optional value becomes ``None`` with a warning on its field. The record fails,
    carrying every warning and error plus ``record.raw``, only when it cannot be
    delivered: no first name (``first_name_required``), no valid email nor phone
    (``contact_required``, field ``contact``), or no source (``source_required``).

    ``record.fields["source"]`` names the source; ``record.fields["lead_kind"]`` is
    optional. ``phone``/``alt_phones`` fields, if present, are phone candidates before
    ``record.phones``. Non-empty fields the ``Lead`` does not have are kept in ``extra``.
    """
    rule_for = _RULES.get
    # An unknown field name keeps its raw string (``str`` returns it as is) for ``extra``.
    # Blank cells are skipped: an absent field is the Lead's default.
    values: dict[str, Any] = {
        name: rule_for(name, str)(raw) for name, raw in record.fields.items() if raw
    }
    warnings: list[FieldIssue] = []
    if Rejected in map(type, values.values()):
        _drop_rejected(values, warnings)
    # Most records carry a numeric score and skip the grade lookup.
    credit = values.get("credit_score")
    needs_grades = type(credit) is str or (credit is None and "credit_grade" in values)
    if needs_grades and (issue := apply_grade_scores(values, config.credit_grade_scores)):
        warnings.append(_issue("credit_score", issue))

    # convert() copies extra; it is copied here only if a field must be added to it.
    extra = record.extra
    candidates = record.phones
    if "phone" in values or "alt_phones" in values or "extra" in values:
        extra = dict(extra)
        candidates = _take_unusual_fields(values, extra, candidates)
    phone, alt_phones, phone_warnings = choose_phones(candidates)
    if phone_warnings:
        warnings.extend(phone_warnings)

    if (
        values.get("first_name") is None
        or values.get("source") is None
        or (phone is None and values.get("email") is None)
    ):
        errors = _delivery_errors(values, phone)
        return FailedRecord(record=record.number, errors=[*warnings, *errors], raw=record.raw)

    values["phone"] = phone
    values["alt_phones"] = alt_phones
    values["extra"] = extra
    try:
        lead = msgspec.convert(values, Lead)
    except msgspec.ValidationError:
        # Only a field name the Lead lacks gets here (every rule returns its field's type);
        # it moves to ``extra`` here rather than being looked for in every record.
        values["extra"] = extra = dict(extra)
        _move_unknown_fields(values, extra)
        lead = msgspec.convert(values, Lead)
    return NormalizedLead(record=record.number, lead=lead, warnings=warnings)


def normalize_item(
    item: RawRecord | FailedRecord, *, config: NormalizeConfig = DEFAULT_CONFIG
) -> NormalizedLead | FailedRecord:
    """What a source adapter's item becomes: a record goes through every rule, a row the
    adapter could not read is already its failed result."""
    return normalize_record(item, config=config) if isinstance(item, RawRecord) else item


def normalize_field(name: str, raw: str) -> tuple[object, Rejected | None]:
    """One non-blank field as :func:`normalize_record` settles it before the rules that
    look at several fields (credit grades, phones, the delivery checks): the field's value,
    and the rejection when the raw value was unusable (the value is then the field's
    fallback). A name the rules do not know keeps ``raw``.

    For callers that precompute per distinct cell what a record's field becomes.
    """
    value = _RULES.get(name, str)(raw)
    if type(value) is Rejected:
        return _REJECTED_VALUE.get(name), value
    return value, None


def _issue(field: str, rejected: Rejected) -> FieldIssue:
    return FieldIssue(field=field, code=rejected.code, message=rejected.message)


def _take_unusual_fields(
    values: dict[str, Any], extra: dict[str, str], phones: list[str]
) -> list[str]:
    """Pop ``phone``/``alt_phones`` fields as the first phone candidates, and an ``extra``
    field into ``extra``; returns every phone candidate in order."""
    if (raw := values.pop("extra", None)) is not None and raw and not raw.isspace():
        extra.setdefault("extra", raw)
    candidates = [values.pop(name) for name in _PHONE_FIELDS if name in values]
    candidates.extend(phones)
    return candidates


def _drop_rejected(values: dict[str, Any], warnings: list[FieldIssue]) -> None:
    for name, result in values.items():
        if type(result) is Rejected:
            warnings.append(_issue(name, result))
            values[name] = _REJECTED_VALUE.get(name)


def _delivery_errors(values: dict[str, Any], phone: str | None) -> list[FieldIssue]:
    errors: list[FieldIssue] = []
    if values.get("source") is None:
        errors.append(
            FieldIssue(
                field="source",
                code="source_required",
                message="the source adapter did not name the record's source",
            )
        )
    if values.get("first_name") is None:
        errors.append(
            FieldIssue(
                field="first_name",
                code="first_name_required",
                message="a first name is required (Bonzo rejects a prospect without one)",
            )
        )
    if phone is None and values.get("email") is None:
        errors.append(
            FieldIssue(
                field="contact",
                code="contact_required",
                message="a valid email address or phone number is required",
            )
        )
    return errors


def _move_unknown_fields(values: dict[str, Any], extra: dict[str, str]) -> None:
    unknown = [name for name in values if name not in _RULES and name not in _SET_BY_SERVICE]
    for name in unknown:
        raw = values.pop(name)
        if raw and not raw.isspace():
            extra.setdefault(name, raw)
