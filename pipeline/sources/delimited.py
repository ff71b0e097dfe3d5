"""Delimited text (CSV and its cousins) as a stream of records.

The csv module parses (in C); this module sniffs the delimiter, finds the header, and
decides what a row that does not fit the header becomes.

Row rules, in order:

- a row with no non-empty cell (a blank line, Excel's trailing ``,,,,``) is not a record
  and takes no record number;
- a row with more cells than the header is trimmed when the surplus cells are empty (a
  trailing delimiter);
- any other row whose width differs from the header's fails alone as
  ``wrong_field_count``: a lost delimiter shifts every later cell into the wrong field,
  and a failed record is safer than a phone number delivered as a zip;
- a row the csv module cannot parse (a quoted field over ``csv.field_size_limit()``, which
  also bounds memory on an unbalanced quote) fails alone as ``unreadable_row``, and
  reading resumes on the next line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice

from pipeline.core.records import FailedRecord, RawRecord
from pipeline.sources.encoding import DecodedStream
from pipeline.sources.errors import SourceFormatError
from pipeline.sources.issues import row_failure
from pipeline.sources.layout import ColumnPlan, Layout

__all__ = [
    "DELIMITERS",
    "MAX_COLUMNS",
    "irregular_row",
    "open_delimited",
    "read_delimited",
    "records",
    "regular_rows",
    "sniff_delimiter",
    "take_rows",
]

MAX_COLUMNS = 4096
"""More header cells than this is not a lead file (and would make the row mapper huge)."""

DELIMITERS = (",", ";", "\t", "|")
"""Candidates in order of preference when a header line has as many of two."""


def sniff_delimiter(prefix: str) -> str:
    """The candidate that occurs most often outside quotes on the first line.

    A one-column header (no candidate at all) reads as comma-separated.
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in prefix:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                break
            if char in counts:
                counts[char] += 1
    return max(DELIMITERS, key=counts.__getitem__)


def read_delimited(decoded: DecodedStream, layout: Layout) -> Iterator[RawRecord | FailedRecord]:
    """Read the header now (raising :class:`SourceFormatError` for a file that is empty or
    has none of the layout's key columns) and return an iterator over the data records."""
    reader, plan = open_delimited(decoded, layout)
    return records(reader, plan)


def open_delimited(
    decoded: DecodedStream, layout: Layout
) -> tuple[Iterator[list[str]], ColumnPlan]:
    """The csv reader positioned after the header, and the header's plan; raises as
    :func:`read_delimited` does. The rows are for a caller that applies the row rules
    itself (see :func:`records` and :func:`irregular_row`)."""
    reader = csv.reader(decoded.text, delimiter=sniff_delimiter(decoded.prefix.lstrip("\r\n")))
    header = _header(reader, layout)
    if len(header) > MAX_COLUMNS:
        raise SourceFormatError(
            f"{layout.source}: the header has {len(header)} columns, more than {MAX_COLUMNS}"
        )
    plan = layout.plan(header)
    if not plan.matched:
        raise SourceFormatError.missing_columns(
            layout.source, expected=layout.key_columns, found=plan.headers
        )
    return reader, plan


def _header(reader: Iterator[list[str]], layout: Layout) -> list[str]:
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                return row
    except csv.Error as error:
        raise SourceFormatError(f"{layout.source}: the header row is unreadable: {error}") from None
    raise SourceFormatError(f"{layout.source}: the file is empty (no header row)")


def records(reader: Iterator[list[str]], plan: ColumnPlan) -> Iterator[RawRecord | FailedRecord]:
    """The data records of the rows ``reader`` has left, numbered from 1, by the row rules."""
    width = plan.width
    record = plan.record
    number = 0
    while True:
        try:
            for row in reader:
                if len(row) == width:
                    if any(row):
                        number += 1
                        yield record(number, row)
                elif any(row):
                    number += 1
                    yield irregular_row(number, row, plan)
            return
        except csv.Error as error:
            number += 1
            yield row_failure(number, "unreadable_row", str(error), {})


def take_rows(reader: Iterator[list[str]], count: int) -> tuple[list[list[str]], csv.Error | None]:
    """Up to ``count`` rows, fewer at the end of the file; and the csv module's error when
    a row could not be parsed, with the rows read before it (the read stops there)."""
    rows: list[list[str]] = []
    try:
        # extend() keeps the rows read before a row the csv module cannot parse.
        rows.extend(islice(reader, count))
    except csv.Error as error:
        return rows, error
    return rows, None


def regular_rows(
    chunk: list[list[str]], width: int
) -> tuple[list[list[str]], dict[int, list[str]]]:
    """The records' rows of ``chunk`` for a renderer, and the rows of another width by
    position among them: such a row stands in as a blank row (renderers decline those),
    to be read by :func:`irregular_row`; a blank row is not a record."""
    if set(map(len, chunk)) == {width} and all(map(any, chunk)):
        return chunk, {}
    blank = [""] * width
    rows: list[list[str]] = []
    irregular: dict[int, list[str]] = {}
    for row in chunk:
        if any(row):
            if len(row) != width:
                irregular[len(rows)] = row
                row = blank
            rows.append(row)
    return rows, irregular


def irregular_row(number: int, row: list[str], plan: ColumnPlan) -> RawRecord | FailedRecord:
    """Record ``number`` for a non-blank row whose width differs from the header's."""
    if len(row) > plan.width and not any(row[plan.width :]):
        return plan.record(number, row[: plan.width])
    return _wrong_width(number, row, plan)


def _wrong_width(number: int, row: list[str], plan: ColumnPlan) -> FailedRecord:
    raw = plan.raw(row)
    for position in range(plan.width, len(row)):
        raw[f"(column {position + 1})"] = row[position]
    message = f"expected {plan.width} cells as in the header, found {len(row)}"
    return row_failure(number, "wrong_field_count", message, raw)
