"""Reading a Bonzo event hook body (``{"event", "prospect", "additional"}``) leniently.

Bonzo documents little about these bodies and is a PHP application: an empty object may
arrive as ``[]``, an id as ``"123"``, a timestamp with or without ``T``/``Z``. So the body
is decoded as plain JSON and each followed field is picked out by hand; a value of an
unexpected type reads as unknown instead of failing the event. Only a body that is not a
JSON object is refused: it cannot be an event hook at all.

Bonzo sends no event id, so ``ProspectEvent.idempotency_key`` is derived from the body:
the event name, the prospect id, its ``updated_at`` and every field the journey follows,
and the message id and status. A repeat of the same event gives the same key; two real
changes within one ``updated_at`` tick still differ in what changed. Events the journey
does not follow are keyed by their whole body.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from pipeline.journey.schemas import (
    APPLIED_EVENTS,
    OutgoingMessage,
    ProspectEvent,
    ProspectSnapshot,
)

__all__ = ["InvalidEventBody", "read_event"]

_KEY_VERSION: Final = "v1"
_MAX_TEXT: Final = 200
_MAX_EMAIL: Final = 254
# Outside these years a timestamp is a placeholder or garbage, not a time something happened.
_YEARS: Final = range(1970, 2200)
_MAX_JSON_TEXT: Final = 2000
_MAX_BIGINT: Final = 2**63 - 1
_decoder = msgspec.json.Decoder()
_canonical = msgspec.json.Encoder(order="sorted")
# Raw prospect keys whose values go into the idempotency key (besides id and updated_at).
_FOLLOWED_KEYS: Final = (
    "status",
    "pipeline_stage",
    "assigned_to",
    "dnc",
    "do_not_call",
    "opt_outs",
    "last_contact",
)


class InvalidEventBody(ValueError):
    """The body is not a JSON object (or not UTF-8 JSON at all)."""


def read_event(body: bytes) -> ProspectEvent:
    """Read one event hook body. Raises ``InvalidEventBody`` only when ``body`` is not a
    JSON object; every other oddity reads as an unknown value."""
    try:
        decoded = _decoder.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise InvalidEventBody("the body is not valid JSON") from None
    if not isinstance(decoded, dict):
        raise InvalidEventBody("the body is not a JSON object")
    event = _text(decoded.get("event")) or ""
    raw_prospect = decoded.get("prospect")
    prospect = _snapshot(raw_prospect) if isinstance(raw_prospect, dict) else None
    additional = decoded.get("additional")
    raw_message = additional.get("message") if isinstance(additional, dict) else None
    message = _message(raw_message) if isinstance(raw_message, dict) else None
    return ProspectEvent(
        event=event,
        idempotency_key=_idempotency_key(event, raw_prospect, raw_message, prospect, body),
        prospect=prospect,
        message=message,
    )


def _idempotency_key(
    event: str,
    raw_prospect: Any,
    raw_message: Any,
    prospect: ProspectSnapshot | None,
    body: bytes,
) -> str:
    if event in APPLIED_EVENTS and prospect is not None:
        assert isinstance(raw_prospect, dict)
        message = raw_message if isinstance(raw_message, dict) else {}
        parts = [
            event,
            prospect.id,
            raw_prospect.get("updated_at"),
            [raw_prospect.get(key) for key in _FOLLOWED_KEYS],
            message.get("id"),
            message.get("status"),
        ]
        material = _canonical.encode(parts)
    else:
        material = body
    return f"{_KEY_VERSION}:{hashlib.sha256(material).hexdigest()}"


def _snapshot(data: dict[str, Any]) -> ProspectSnapshot | None:
    prospect_id = _bigint(data.get("id"))
    if prospect_id is None:
        return None
    fields: dict[str, Any] = {}
    if "status" in data:
        fields["status"] = _text(data["status"])
    if "pipeline_stage" in data:
        fields["pipeline_stage"] = _label(data["pipeline_stage"])
    if "assigned_to" in data:
        fields["assigned_to"] = _label(data["assigned_to"])
    # Event hooks say ``dnc``; the API resource says ``do_not_call``.
    for key in ("dnc", "do_not_call"):
        if key in data:
            fields["dnc"] = _flag(data[key])
            break
    if "opt_outs" in data:
        fields["opt_outs"] = _json_text(data["opt_outs"])
    if "last_contact" in data:
        fields["last_contact_at"] = _timestamp(data["last_contact"])
    return ProspectSnapshot(
        id=prospect_id,
        external_id=_text(data.get("external_id")),
        phone=_phone(data.get("phone")),
        email=_email(data.get("email")),
        updated_at=_timestamp(data.get("updated_at")),
        **fields,
    )


def _message(data: dict[str, Any]) -> OutgoingMessage:
    status = _text(data.get("status"))
    channel = _text(data.get("type"))
    return OutgoingMessage(
        id=_text(data.get("id")),
        channel=None if channel is None else channel.lower(),
        status=None if status is None else status.lower(),
        at=_timestamp(data.get("updated_at")) or _timestamp(data.get("created_at")),
    )


def _text(value: Any, limit: int = _MAX_TEXT) -> str | None:
    """A string or number as text (PostgreSQL text cannot hold NUL), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned[:limit] or None


def _label(value: Any) -> str | None:
    """A name or id, or the ``name``/``id`` of an object (Bonzo nests some as objects)."""
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("id"))
    return _text(value)


def _bigint(value: Any) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= _MAX_BIGINT else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def _json_text(value: Any) -> str | None:
    # An empty list/object (PHP writes an empty map as []) means the same as none.
    if not value:
        return None
    text = _canonical.encode(value).decode().replace("\\u0000", "")
    return text[:_MAX_JSON_TEXT]


def _timestamp(value: Any) -> datetime | None:
    """ISO 8601 or Laravel's ``YYYY-MM-DD HH:MM:SS``; a time without offset is UTC."""
    if not isinstance(value, str) or not value.isascii():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.year not in _YEARS:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _phone(value: Any) -> str | None:
    """E.164 ``+15552345678`` (or any punctuation) as the ten digits leads store."""
    if not isinstance(value, str):
        return None
    digits = "".join(char for char in value if char.isascii() and char.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def _email(value: Any) -> str | None:
    text = _text(value, limit=_MAX_EMAIL + 1)
    if text is None or "@" not in text or len(text) > _MAX_EMAIL:
        return None
    return text.lower()
