"""The ``leadgate normalize`` output contract: one JSON object per input record.

    {"record": 1, "status": "ok", "lead": {...}, "warnings": [...]}
    {"record": 2, "status": "failed", "errors": [{"field", "code", "message"}], "raw": {...}}

``lead`` carries every ``Lead`` field, ``null`` when unknown. Lines are encoded by one
reused msgspec encoder into a buffer that is written out in chunks.
"""

from __future__ import annotations

from collections import Counter
from typing import BinaryIO, Literal

import msgspec

from pipeline.core.lead import Lead
from pipeline.core.records import FailedRecord, FieldIssue, NormalizedLead
from pipeline.core.structs import Struct
from pipeline.sources.speedups import encode_lines

__all__ = ["ResultWriter", "Summary", "encode_result"]

FLUSH_BYTES = 1024 * 1024


class OkLine(Struct):
    record: int
    status: Literal["ok"]
    lead: Lead
    warnings: list[FieldIssue]


class FailedLine(Struct):
    record: int
    status: Literal["failed"]
    errors: list[FieldIssue]
    raw: dict[str, str]


def _line(result: NormalizedLead | FailedRecord) -> OkLine | FailedLine:
    if isinstance(result, NormalizedLead):
        return OkLine(record=result.record, status="ok", lead=result.lead, warnings=result.warnings)
    return FailedLine(record=result.record, status="failed", errors=result.errors, raw=result.raw)


_encode = msgspec.json.Encoder().encode


def encode_result(result: NormalizedLead | FailedRecord) -> str:
    """The output line of one result, without its newline."""
    return _encode(_line(result)).decode()


class Summary:
    """Counts per status and per error code, for ``--summary``."""

    __slots__ = ("error_codes", "statuses")

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.error_codes: Counter[str] = Counter()

    def add_lines(self, count: int, failures: list[tuple[str, ...]]) -> None:
        """``count`` records, of which ``failures`` (each with its issue codes) failed."""
        self.statuses["ok"] += count - len(failures)
        self.statuses["failed"] += len(failures)
        for codes in failures:
            self.error_codes.update(codes)

    def add(self, result: NormalizedLead | FailedRecord) -> None:
        if isinstance(result, NormalizedLead):
            self.statuses["ok"] += 1
        else:
            self.statuses["failed"] += 1
            self.error_codes.update(issue.code for issue in result.errors)

    def render(self) -> str:
        lines = [f"records: {self.statuses.total()}"]
        lines += [f"{status}: {self.statuses[status]}" for status in ("ok", "failed")]
        if self.error_codes:
            lines.append("errors by code:")
            lines += [f"  {code}: {count}" for code, count in self.error_codes.most_common()]
        return "\n".join(lines) + "\n"


class ResultWriter:
    """Writes results as JSON lines to a binary stream; call :meth:`flush` at the end."""

    __slots__ = ("_buffer", "_encode_into", "_out")

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._buffer = bytearray()
        self._encode_into = msgspec.json.Encoder().encode_into

    def write(self, result: NormalizedLead | FailedRecord) -> None:
        buffer = self._buffer
        self._encode_into(_line(result), buffer, -1)
        buffer += b"\n"
        if len(buffer) >= FLUSH_BYTES:
            self._out.write(buffer)
            buffer.clear()

    def write_lines(self, lines: list[str]) -> None:
        """Lines already encoded as JSON text (one per record, without newlines)."""
        if not lines:
            return
        # Written as they are, a chunk at a time: appended to the buffer, they would grow
        # it to FLUSH_BYTES and free it again, costing a page fault per 4 KiB written.
        if self._buffer:
            self._out.write(self._buffer)
            self._buffer.clear()
        self._out.write(encode_lines(lines))

    def flush(self) -> None:
        self._out.write(self._buffer)
        self._buffer.clear()
        self._out.flush()
