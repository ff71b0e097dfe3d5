"""Why a source adapter could not read a row: the codes of the failed records it yields.

These codes are a contract like the rules' codes (``pipeline.normalize.CODES``): exports
and dashboards match on them. Each failed row carries one issue on the field ``record``
(the row as a whole) and keeps what was read of the row in ``raw`` (nothing for
``unreadable_row``, whose text the csv module does not hand back).

=====================  ======================================================================
wrong_field_count      a delimited row with more or fewer cells than the header
unreadable_row         the csv module could not parse the row (a field over its size limit)
invalid_json           a JSON value that does not decode
not_an_object          a JSON value that decodes but is not an object
record_too_large       a JSON value over the size limit (its start is kept in ``raw``)
too_many_keys          a JSON object whose new keys take the stream past 512 distinct keys
=====================  ======================================================================
"""

from __future__ import annotations

from typing import Final

from pipeline.core.records import FailedRecord, FieldIssue

__all__ = ["CODES", "RECORD_FIELD", "row_failure"]

RECORD_FIELD: Final = "record"
"""``FieldIssue.field`` for a problem with the row as a whole."""

CODES: Final[dict[str, str]] = {
    "wrong_field_count": "a row with more or fewer cells than the header",
    "unreadable_row": "a row the csv parser could not read",
    "invalid_json": "a JSON value that does not decode",
    "not_an_object": "a JSON value that is not an object",
    "record_too_large": "a JSON value over the size limit",
    "too_many_keys": "a JSON object with new keys beyond the stream's key limit",
}


def row_failure(number: int, code: str, message: str, raw: dict[str, str]) -> FailedRecord:
    """The failed record for row ``number``; ``code`` is one of :data:`CODES`."""
    issue = FieldIssue(field=RECORD_FIELD, code=code, message=message)
    return FailedRecord(record=number, errors=[issue], raw=raw)
