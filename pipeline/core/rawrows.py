"""How a lead's raw row is stored: its cells, with the column names kept once per batch.

A vendor row as a JSON object repeats every column name in every lead, and vendors' names
are long (experian's rate column alone is 120 characters): 626 of a stored experian
lead's 950 bytes were ``raw``, most of them names, written to the heap and the WAL for
each of a million rows. So a lead's ``raw`` is the JSON array of its cells, and the batch's
``raw_columns`` names them: cell *i* belongs to column *i*. A JSON stream's columns grow as
new keys appear, and each record's row covers the columns seen so far, so a record's cells
name a prefix of the batch's columns. A row whose keys are not such a prefix (none is,
today) is stored as the JSON object it was, and read back as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

__all__ = ["RawColumns", "raw_row"]

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(list[str] | dict[str, Any]).decode


class RawColumns:
    """The column names of one batch's stored rows, as they grow over its records."""

    __slots__ = ("names",)

    def __init__(self, names: Sequence[str] = ()) -> None:
        self.names: tuple[str, ...] = tuple(names)

    def encode(self, raw: dict[str, str]) -> bytes:
        """``raw`` as stored: the array of its cells when its keys start the batch's
        columns (extending them when ``raw`` has more), else the object itself."""
        keys = tuple(raw)
        names = self.names
        if len(keys) > len(names) and keys[: len(names)] == names:
            self.names = names = keys
        if keys == names[: len(keys)]:
            return _encode(list(raw.values()))
        return _encode(raw)


def raw_row(stored: str | bytes, columns: Sequence[str] | None) -> dict[str, Any]:
    """A stored ``raw`` as the vendor's row, column name -> cell. Cells past the named
    columns (none, when the batch was stored whole) are keyed by position, as a row of the
    wrong width is in a failed record: ``"(column 19)"``."""
    value = _decode(stored)
    if isinstance(value, dict):
        return value
    names = columns or ()
    return {
        names[position] if position < len(names) else f"(column {position + 1})": cell
        for position, cell in enumerate(value)
    }
