"""JSON input as a stream of records: each top-level object is one record.

The stream has no header row, so the keys play its part: the columns are every key seen
so far, in first-seen order, and each object is laid out on them as a row (a key the
object lacks is an empty cell, so ``raw`` has every column the stream has shown so far,
which keeps failed-record exports rectangular). The column plan is compiled again only
when an object brings keys not seen before, which a vendor's stream does a few times at
most; a stream that keeps inventing keys is cut off at :data:`MAX_KEYS` columns and its
further objects with new keys fail as ``too_many_keys``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from pipeline.core.records import FailedRecord, RawRecord
from pipeline.sources.errors import SourceFormatError
from pipeline.sources.issues import row_failure
from pipeline.sources.jsonstream import OversizedValue
from pipeline.sources.layout import ColumnPlan, Layout

__all__ = ["JSON_RAW_KEY", "MAX_KEYS", "read_json"]

SourceItem = RawRecord | FailedRecord

JSON_RAW_KEY = "(json)"
"""``FailedRecord.raw`` key holding the text of a JSON value that did not decode."""

MAX_KEYS = 512
"""Distinct keys a JSON stream may show: each new key recompiles the row mapper, so a
stream adding one key per object costs O(keys²); 512 bounds that to a few seconds."""

_decode_object = msgspec.json.Decoder(dict[str, Any]).decode
_encode_json = msgspec.json.Encoder().encode


def _cell(value: object) -> str:
    """A JSON value as the string a CSV cell would have held (``null`` and absent: empty)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _encode_json(value).decode()


def read_json(values: Iterator[str | OversizedValue], layout: Layout) -> Iterator[SourceItem]:
    """Read up to the first object now (raising :class:`SourceFormatError` when its keys
    have none of the layout's key columns) and return an iterator over the records."""
    reader = _JsonRecords(layout)
    early: list[SourceItem] = []
    for number, value in enumerate(values, start=1):
        item = reader.item(number, value)
        early.append(item)
        if isinstance(item, RawRecord):
            plan = reader.plan
            if plan is not None and not plan.matched:
                raise SourceFormatError.missing_columns(
                    layout.source, expected=layout.key_columns, found=plan.headers
                )
            break
    return _chain(early, values, reader)


def _chain(
    early: list[SourceItem], values: Iterator[str | OversizedValue], reader: _JsonRecords
) -> Iterator[SourceItem]:
    yield from early
    for number, value in enumerate(values, start=len(early) + 1):
        yield reader.item(number, value)


class _JsonRecords:
    """Decodes JSON values and lays each object out on the columns seen so far."""

    __slots__ = ("_columns", "_layout", "plan")

    def __init__(self, layout: Layout) -> None:
        self._layout = layout
        self._columns: dict[str, None] = {}
        self.plan: ColumnPlan | None = None

    def item(self, number: int, value: str | OversizedValue) -> SourceItem:
        if isinstance(value, OversizedValue):
            message = "the JSON value is too large"
            return row_failure(number, "record_too_large", message, {JSON_RAW_KEY: value.head})
        try:
            obj = _decode_object(value)
        except msgspec.ValidationError:
            message = "the JSON value is not an object"
            return row_failure(number, "not_an_object", message, {JSON_RAW_KEY: value})
        except msgspec.DecodeError as error:
            return row_failure(number, "invalid_json", str(error), {JSON_RAW_KEY: value})
        columns = self._columns
        plan = self.plan
        if plan is None or not columns.keys() >= obj.keys():
            if len(columns.keys() | obj.keys()) > MAX_KEYS:
                message = f"the stream has more than {MAX_KEYS} distinct keys"
                return row_failure(number, "too_many_keys", message, {JSON_RAW_KEY: value})
            columns.update(dict.fromkeys(obj))
            plan = self.plan = self._layout.plan(tuple(columns))
        get = obj.get
        row = [cell if type(cell) is str else _cell(cell) for cell in map(get, columns)]
        return plan.record(number, row)
