"""PostgreSQL's binary COPY format, for the values a staged lead holds.

A COPY stream is :data:`SIGNATURE`, rows, :data:`TRAILER`; a row is its field count
(int16) and its fields; a field is its length (int32) and payload, or length -1 for NULL.
Each function here returns a whole field (length included), byte for byte what psycopg's
binary dumpers write for the staging tables' types (text as UTF-8, smallint, boolean,
text[]), so the compiled renderer's rows can be held to the reference's. Amounts and
rates go as text (:func:`numeric_text`) for the load to read as ``numeric``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Final

from pipeline.core.lead import LEAD_FIELDS

__all__ = [
    "EMPTY_TEXT_ARRAY",
    "NULL",
    "SIGNATURE",
    "TEXT_OID",
    "TRAILER",
    "amount_fields",
    "array_head",
    "length",
    "numeric_text",
    "text_array_field",
    "text_field",
    "value_field",
]

SIGNATURE: Final = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
"""The stream header: signature, flags, header extension length."""
TRAILER: Final = b"\xff\xff"
NULL: Final = b"\xff\xff\xff\xff"

length = struct.Struct(">i").pack
"""A field's int32 length prefix."""
_int2 = struct.Struct(">ih").pack
array_head = struct.Struct(">iiiii").pack
"""A one-dimensional array's header: dimensions, has NULLs, element type, size, base."""
TEXT_OID: Final = 25

EMPTY_TEXT_ARRAY: Final = length(12) + struct.pack(">iii", 0, 0, TEXT_OID)
"""``'{}'::text[]``: no dimensions."""
_TRUE: Final = length(1) + b"\x01"
_FALSE: Final = length(1) + b"\x00"

_AMOUNT_FIELDS: Final = frozenset(
    LEAD_FIELDS[LEAD_FIELDS.index("property_value") : LEAD_FIELDS.index("bid_loan_value") + 1]
)
_BOOL_FIELDS: Final = frozenset(
    LEAD_FIELDS[LEAD_FIELDS.index("cash_out") : LEAD_FIELDS.index("has_second_mortgage") + 1]
)


def text_field(text: str | None) -> bytes:
    if text is None:
        return NULL
    data = text.encode()
    return length(len(data)) + data


def numeric_text(value: float) -> str:
    """A float amount or rate as the load reads it into ``numeric``: 15 significant digits,
    the text PostgreSQL's own float8-to-numeric cast writes (``%.15g``), so a lead stores
    the same number as when floats went over; ``250000.0`` is ``"250000"``."""
    return format(value, ".15g")


def amount_fields(digits: Iterable[str]) -> list[bytes]:
    """The fields of many whole amounts given as their digits, ``"250000"`` (a ``map`` in
    C): what :func:`numeric_text` writes for each as a float."""
    payloads = list(map(str.encode, digits))
    return list(map(bytes.__add__, map(length, map(len, payloads)), payloads))


def text_array_field(texts: Sequence[str]) -> bytes:
    """A one-dimensional ``text[]`` without NULLs (an empty one has no dimensions)."""
    if not texts:
        return EMPTY_TEXT_ARRAY
    elements = b"".join(map(text_field, texts))
    head = array_head(1, 0, TEXT_OID, len(texts), 1)
    return length(len(head) + len(elements)) + head + elements


def value_field(name: str, value: object) -> bytes:
    """The field of Lead field ``name`` (any but ``source``, ``alt_phones``, ``extra``)
    holding ``value``, a value of its type or ``None``."""
    if value is None:
        return NULL
    if name in _AMOUNT_FIELDS:
        assert isinstance(value, int | float)
        return text_field(numeric_text(value))
    if name in _BOOL_FIELDS:
        return _TRUE if value else _FALSE
    if name == "credit_score":
        assert isinstance(value, int)
        return _int2(2, value)
    assert isinstance(value, str)
    return text_field(value)
