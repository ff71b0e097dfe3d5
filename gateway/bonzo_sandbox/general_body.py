"""Reading a "Bonzo (General)" webhook body the way Bonzo does, with Laravel-style errors.

Bonzo is a Laravel application: input strings are trimmed, empty strings count as absent,
and a failed validation answers 422 with every message per field. The rules here are the
ones Bonzo is known to apply (a first name; a phone or an email) plus the ones any such
application applies to typed fields (email syntax, a usable phone, ``Y-m-d`` birthdays, an
existing ``user_id``). Keys Bonzo does not read, and nested objects other than its contact
objects, are ignored; they are reported so tests can see a payload that was nested.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

import msgspec

from pipeline.core.structs import Struct

__all__ = ["CONTACT_KEYS", "GeneralLead", "InvalidGeneralBody", "read_general_body"]

# Bonzo's key lists are kept apart from pipeline.delivery's on purpose: a stand-in that
# shared the client's assumptions could not catch a wrong one.
CONTACT_KEYS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "zip",
    "marital_status",
    "prospect_type",
    "unit_number",
    "alias",
    "birthday",
)
MORTGAGE_KEYS: frozenset[str] = frozenset(
    {
        "loan_amount",
        "down_payment",
        "loan_program",
        "credit_score",
        "loan_type",
        "loan_purpose",
        "property_value",
        "property_address",
        "property_unit_number",
        "property_city",
        "property_state",
        "property_zip",
        "property_county",
        "property_type",
        "property_use",
        "purchase_price",
        "interest_rate",
        "cash_out_amount",
        "found_home",
        "bankruptcy",
        "company_name",
    }
)
PERSON_OBJECT_KEYS: frozenset[str] = frozenset({"coborrower", "listing_agent", "buyer_agent"})
_PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "company_name")
_NUMBERS_ALLOWED = frozenset({"phone", "zip", "unit_number"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_MAX_LENGTH = 255


class GeneralLead(Struct):
    """What Bonzo takes from one valid General body."""

    contact: dict[str, str]
    """``CONTACT_KEYS`` present in the body; ``phone`` in E.164, ``email`` lower-cased."""
    mortgage: dict[str, str] = msgspec.field(default_factory=dict)
    custom_fields: dict[str, str] = msgspec.field(default_factory=dict)
    """Keyed by the name after ``custom_`` as sent (underscores kept)."""
    people: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)
    """Co-borrower and agents, by their body key."""
    notes: list[str] = msgspec.field(default_factory=list)
    user_id: int | None = None
    external_id: str | None = None
    ignored_keys: list[str] = msgspec.field(default_factory=list)


class InvalidGeneralBody(Exception):
    """The body fails validation; ``errors`` maps each field to its messages, in order."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(summary_message(errors))
        self.errors = errors


def summary_message(errors: dict[str, list[str]]) -> str:
    """Laravel's top-level ``message``: the first error, and how many more there are."""
    messages = [message for field_messages in errors.values() for message in field_messages]
    more = len(messages) - 1
    if more == 0:
        return messages[0]
    return f"{messages[0]} (and {more} more error{'s' if more > 1 else ''})"


def e164(phone: str) -> str | None:
    """A US number as ``+1XXXXXXXXXX``, or ``None`` when it is not one."""
    digits = "".join(char for char in phone if char.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return "+1" + digits if len(digits) == 10 else None


def read_general_body(body: object, *, user_ids: Collection[int]) -> GeneralLead:
    """Validate and read a decoded JSON body; anything but an object reads as empty.

    Raises ``InvalidGeneralBody`` with Laravel's messages when a rule fails.
    """
    data: dict[str, Any] = body if isinstance(body, dict) else {}
    errors: dict[str, list[str]] = {}
    lead = GeneralLead(contact={})

    for key in CONTACT_KEYS:
        value = _scalar(data.get(key), key, errors, numbers=key in _NUMBERS_ALLOWED)
        if value is not None:
            lead.contact[key] = value
    _check_contact(lead.contact, errors)

    for key, raw in data.items():
        if key in CONTACT_KEYS:
            continue
        if key in MORTGAGE_KEYS or key.startswith("custom_"):
            value = _scalar(raw, key, errors, numbers=True)
            if value is not None:
                target = lead.mortgage if key in MORTGAGE_KEYS else lead.custom_fields
                target[key.removeprefix("custom_")] = value
        elif key in PERSON_OBJECT_KEYS:
            _read_person(raw, key, lead, errors)
        elif key == "notes":
            _read_notes(raw, lead, errors)
        elif key == "user_id":
            _read_user_id(raw, lead, errors, user_ids)
        elif key == "external_id":
            lead.external_id = _scalar(raw, key, errors, numbers=True)
        else:
            lead.ignored_keys.append(key)

    if errors:
        raise InvalidGeneralBody(errors)
    return lead


def _label(key: str) -> str:
    return key.replace("_", " ")


def _scalar(value: object, key: str, errors: dict[str, list[str]], *, numbers: bool) -> str | None:
    """A trimmed string value, ``None`` when absent or empty; records a type error."""
    if value is None:
        return None
    if isinstance(value, bool) and numbers:
        return "true" if value else "false"
    if isinstance(value, int | float) and not isinstance(value, bool) and numbers:
        text = repr(value)
        return text.removesuffix(".0") if isinstance(value, float) else text
    if not isinstance(value, str):
        errors.setdefault(key, []).append(f"The {_label(key)} field must be a string.")
        return None
    text = value.strip()
    if len(text) > _MAX_LENGTH:
        errors.setdefault(key, []).append(
            f"The {_label(key)} field must not be greater than {_MAX_LENGTH} characters."
        )
    return text or None


def _check_contact(contact: dict[str, str], errors: dict[str, list[str]]) -> None:
    if "first_name" not in contact and "first_name" not in errors:
        errors["first_name"] = ["The first name field is required."]
    email = contact.get("email")
    phone = contact.get("phone")
    if email is None and phone is None and "email" not in errors and "phone" not in errors:
        errors["email"] = ["The email field is required when phone is not present."]
        errors["phone"] = ["The phone field is required when email is not present."]
    if email is not None:
        if _EMAIL.fullmatch(email):
            contact["email"] = email.lower()
        else:
            errors.setdefault("email", []).append("The email field must be a valid email address.")
    if phone is not None:
        normalized = e164(phone)
        if normalized is None:
            errors.setdefault("phone", []).append("The phone field must be a valid phone number.")
        else:
            contact["phone"] = normalized
    birthday = contact.get("birthday")
    if birthday is not None and not _is_ymd(birthday):
        errors.setdefault("birthday", []).append("The birthday field must match the format Y-m-d.")


def _is_ymd(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _read_person(raw: object, key: str, lead: GeneralLead, errors: dict[str, list[str]]) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        errors.setdefault(key, []).append(f"The {_label(key)} field must be an array.")
        return
    person: dict[str, str] = {}
    for field in _PERSON_FIELDS:
        value = _scalar(raw.get(field), f"{key}.{field}", errors, numbers=field == "phone")
        if value is not None:
            person[field] = value
    if person:
        lead.people[key] = person


def _read_notes(raw: object, lead: GeneralLead, errors: dict[str, list[str]]) -> None:
    if raw is None:
        return
    if isinstance(raw, str):
        lead.notes = [raw.strip()] if raw.strip() else []
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        lead.notes = [item.strip() for item in raw if item.strip()]
    else:
        errors["notes"] = ["The notes field must be a string or an array of strings."]


def _read_user_id(
    raw: object, lead: GeneralLead, errors: dict[str, list[str]], user_ids: Collection[int]
) -> None:
    if raw is None or raw == "":
        return
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        errors["user_id"] = ["The user id field must be an integer."]
        return
    try:
        user_id = int(raw)
    except ValueError:
        errors["user_id"] = ["The user id field must be an integer."]
        return
    if user_id not in user_ids:
        errors["user_id"] = ["The selected user id is invalid."]
        return
    lead.user_id = user_id
