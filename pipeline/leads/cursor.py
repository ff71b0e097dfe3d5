"""Opaque page cursors: the sort position of the last row a page returned.

Lists are ordered newest first, with a tie-breaker that makes the order total, and the
next page starts strictly after the cursor's position (keyset pagination): rows added
meanwhile never shift a page, and a page costs the same however deep it is. A cursor is
URL-safe base64 of a JSON array naming its list, so one list's cursor is refused by another.
It carries no secret and grants nothing: every query is still scoped to the caller's tenant.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Final, Literal, TypeVar
from uuid import UUID

import msgspec

__all__ = [
    "DeliveryPosition",
    "InvalidCursor",
    "RecordPosition",
    "decode_delivery_cursor",
    "decode_failed_record_cursor",
    "decode_lead_cursor",
    "encode_cursor",
]

_MAX_CURSOR_CHARS: Final = 256
_Aware = Annotated[datetime, msgspec.Meta(tz=True)]
_RecordNumber = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]

RecordPosition = tuple[datetime, UUID, int]
"""(timestamp, batch id, record number): leads and failed records."""
DeliveryPosition = tuple[datetime, UUID]
"""(created_at, delivery id)."""

_LeadCursor = tuple[Literal["leads"], _Aware, UUID, _RecordNumber]
_FailedCursor = tuple[Literal["failed_records"], _Aware, UUID, _RecordNumber]
_DeliveryCursor = tuple[Literal["deliveries"], _Aware, UUID]
_lead_cursor: msgspec.json.Decoder[_LeadCursor] = msgspec.json.Decoder(_LeadCursor)
_failed_cursor: msgspec.json.Decoder[_FailedCursor] = msgspec.json.Decoder(_FailedCursor)
_delivery_cursor: msgspec.json.Decoder[_DeliveryCursor] = msgspec.json.Decoder(_DeliveryCursor)
_encoder = msgspec.json.Encoder()
T = TypeVar("T")


class InvalidCursor(ValueError):
    """The cursor was not made by this list (or was altered)."""


def encode_cursor(kind: Literal["leads", "failed_records", "deliveries"], *position: Any) -> str:
    return base64.urlsafe_b64encode(_encoder.encode([kind, *position])).rstrip(b"=").decode()


def decode_lead_cursor(cursor: str) -> RecordPosition:
    _, at, batch_id, record = _decode(cursor, _lead_cursor)
    return at, batch_id, record


def decode_failed_record_cursor(cursor: str) -> RecordPosition:
    _, at, batch_id, record = _decode(cursor, _failed_cursor)
    return at, batch_id, record


def decode_delivery_cursor(cursor: str) -> DeliveryPosition:
    _, at, delivery_id = _decode(cursor, _delivery_cursor)
    return at, delivery_id


def _decode(cursor: str, decoder: msgspec.json.Decoder[T]) -> T:
    if not cursor or len(cursor) > _MAX_CURSOR_CHARS or not cursor.isascii():
        raise InvalidCursor("not a cursor from this list")
    try:
        return decoder.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursor("not a cursor from this list") from None
