"""Split JSON input into one text per record, a chunk at a time.

Accepted shapes: a JSON array of records (``[{...}, {...}]``), JSON lines, and one or more
objects one after another (a single webhook body, pretty-printed or concatenated
objects). The splitter only finds where each top-level value starts and ends (string
literals skipped whole, brackets counted); msgspec decodes each value afterwards, so
an invalid value fails as one record while the values around it still read.

Memory stays bounded: a value still open after :data:`MAX_VALUE_CHARS` characters is
reported as an :class:`OversizedValue`; the scan goes on through it without keeping its
text, and splitting resumes after its end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple, TextIO

__all__ = ["MAX_VALUE_CHARS", "OversizedValue", "split_values"]

CHUNK_CHARS = 64 * 1024
MAX_VALUE_CHARS = 1024 * 1024
HEAD_CHARS = 1000
"""How much of an oversized value is kept for the failed-record export."""

_STRUCTURE = re.compile(r'["{}\[\],\n]')
# Inside a value, commas and newlines do not matter: one match skips everything up to the
# next bracket or unfinished string literal, complete string literals included.
_NESTED_RUN = re.compile(r'(?:[^"{}\[\]]+|"[^"\\]*(?:\\.[^"\\]*)*")*', re.DOTALL)
# The rest of a string literal after its opening quote, up to (not including) the closing
# quote; it stops early at the end of the text or before a backslash that ends it.
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)


class OversizedValue(NamedTuple):
    """A value longer than :data:`MAX_VALUE_CHARS`; ``head`` is its start."""

    head: str


class _Scanner:
    """Where top-level values end, carried across chunks: nesting depth, whether the scan
    stopped inside a string literal, and whether the values sit inside a top-level array."""

    __slots__ = ("base", "depth", "in_string")

    def __init__(self, *, in_array: bool) -> None:
        self.base = self.depth = 1 if in_array else 0
        self.in_string = False

    def scan(self, buf: str, pos: int) -> tuple[list[tuple[int, int]], int]:
        """Scan ``buf`` from ``pos`` as far as it goes.

        Returns, for each value that ends, ``(value_end, next_start)`` (the separator or
        closing bracket lies between them), and the position the scan reached.
        """
        ends: list[tuple[int, int]] = []
        size = len(buf)
        while True:
            if self.in_string:
                rest = _STRING_REST.match(buf, pos)
                end = rest.end() if rest else pos
                if end == size or buf[end] != '"':
                    return ends, end
                pos = end + 1
                self.in_string = False
                continue
            if self.depth > self.base:
                run = _NESTED_RUN.match(buf, pos)
                pos = run.end() if run else pos
                if pos == size:
                    return ends, pos
            else:
                found = _STRUCTURE.search(buf, pos)
                if found is None:
                    return ends, size
                pos = found.start()
            char = buf[pos]
            pos += 1
            if char == '"':
                self.in_string = True
            elif char in "{[":
                self.depth += 1
            elif char in "}]":
                if self.depth > self.base:
                    self.depth -= 1
                    if self.depth == self.base:
                        ends.append((pos, pos))
                elif self.base == 1 and char == "]":
                    ends.append((pos - 1, pos))
                    self.base = self.depth = 0
            else:
                ends.append((pos - 1, pos))


def split_values(text: TextIO) -> Iterator[str | OversizedValue]:
    """Yield each top-level value's text (a record's elements, for a top-level array).

    Blank values (blank lines, a trailing comma) are skipped. Text that is not JSON comes
    out as values too, cut at top-level newlines and commas, for the decoder to reject.
    """
    buf = text.read(CHUNK_CHARS)
    while buf and buf.isspace():
        buf = text.read(CHUNK_CHARS)
    buf = buf.lstrip()
    scanner = _Scanner(in_array=buf.startswith("["))
    if scanner.base:
        buf = buf[1:]
    start = pos = 0
    skipping = False  # the open value passed the size limit: drop it up to its end
    at_end = False
    while True:
        ends, pos = scanner.scan(buf, pos)
        for value_end, next_start in ends:
            if skipping:
                skipping = False
            elif value := buf[start:value_end].strip():
                yield value
            start = next_start
        if at_end:
            if not skipping and (value := buf[start:].strip()):
                yield value
            return
        if pos - start > MAX_VALUE_CHARS:
            if not skipping:
                yield OversizedValue(buf[start : start + HEAD_CHARS])
                skipping = True
            start = pos
        chunk = text.read(CHUNK_CHARS)
        at_end = not chunk
        buf = buf[start:] + chunk
        pos -= start
        start = 0
