"""A source adapter: vendor bytes in, :class:`RawRecord` (or a failed row) out, lazily.

One adapter reads every shape a vendor sends (a file upload, a CSV body, a JSON array,
JSON lines, a single JSON object) through the same layout, so a lead maps the same way
however it arrives. The shape is decided from the decoded prefix: text starting with
``[`` or ``{`` is JSON, anything else delimited text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pipeline.core.records import FailedRecord, RawRecord
from pipeline.sources.delimited import read_delimited
from pipeline.sources.encoding import open_text
from pipeline.sources.jsonrecords import read_json
from pipeline.sources.jsonstream import split_values
from pipeline.sources.layout import Layout

__all__ = ["SourceAdapter", "SourceItem", "is_json"]

SourceItem = RawRecord | FailedRecord
"""What an adapter yields: a record for the rules, or a row that could not be read."""


def is_json(prefix: str) -> bool:
    """Whether decoded text starting with ``prefix`` is read as JSON (else delimited)."""
    return prefix.lstrip()[:1] in ("[", "{")


class SourceAdapter:
    """Reads one source's records from a binary stream (a file, an upload, an HTTP body).

    The caller owns the stream: the adapter reads it to the end but does not close it.
    """

    __slots__ = ("layout",)

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    @property
    def name(self) -> str:
        return self.layout.source

    def read(self, stream: BinaryIO) -> Iterator[SourceItem]:
        """Check the stream's header now and return an iterator over its records.

        Raises :class:`SourceFormatError` when the stream is empty or its header (for JSON,
        its first object's keys) has none of the layout's key columns. Afterwards nothing
        raises but I/O errors: a row that cannot be read is yielded as a
        :class:`FailedRecord`. Records are numbered from 1, in input order.
        """
        decoded = open_text(stream)
        if is_json(decoded.prefix):
            return read_json(split_values(decoded.text), self.layout)
        return read_delimited(decoded, self.layout)
