"""PostgreSQL's binary COPY format, for the values a staged lead holds.

A COPY stream is :data:`SIGNATURE`, rows, :data:`TRAILER`; a row is its field count
(int16) and its fields; a field is its length (int32) and payload, or length -1 for NULL.
Each function here returns a whole field (length included), byte for byte what psycopg's
binary dumpers write for the staging tables' types (text as UTF-8, smallint, float8,
boolean, text[]), so the compiled renderer's rows can be held to the reference's.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Final

from pipeline.core.lead import LEAD_FIELDS

__all__ = [
    "EMPTY_TEXT_ARRAY",
    "NULL",
    "SIGNATURE",
    "TEXT_OID",
    "TRAILER",
    "array_head",
    "float_fields",
    "length",
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
_float = struct.Struct(">id").pack
_int2 = struct.Struct(">ih").pack
array_head = struct.Struct(">iiiii").pack
"""A one-dimensional array's header: dimensions, has NULLs, element type, size, base."""
TEXT_OID: Final = 25

EMPTY_TEXT_ARRAY: Final = length(12) + struct.pack(">iii", 0, 0, TEXT_OID)
"""``'{}'::text[]``: no dimensions."""
_TRUE: Final = length(1) + b"\x01"
_FALSE: Final = length(1) + b"\x00"

_FLOAT_FIELDS: Final = frozenset(
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


def float_fields(values: Iterable[float]) -> list[bytes]:
    """The fields of many floats at once (a ``map`` in C)."""
    return list(map(_float, repeat(8), values))


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
    if name in _FLOAT_FIELDS:
        assert isinstance(value, int | float)
        return _float(8, value)
    if name in _BOOL_FIELDS:
        return _TRUE if value else _FALSE
    if name == "credit_score":
        assert isinstance(value, int)
        return _int2(2, value)
    assert isinstance(value, str)
    return text_field(value)
