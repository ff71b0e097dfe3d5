"""Chunk operations of the compiled path, in C when the build compiled ``_speedups.c``.

The line renderer spends most of its time on a few operations repeated for every cell of a
chunk: turning rows into columns, joining each line's pieces, and the phone and email
columns, whose values rarely repeat. ``pipeline/sources/_speedups.c`` does them without a
Python call per cell; it settles only the common shapes and hands every other cell to the
Python producer the caller passes, so the rules stay defined in Python. The build compiles
it where a C compiler is available (``setup.py``: an optional extension); elsewhere
:data:`NATIVE` is ``None`` and the pure-Python definitions below run. Property tests
(``tests/unit/sources/test_source_speedups.py``) prove both equal, and the differential
tests of the compiled path run with and without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Protocol

__all__ = ["NATIVE", "Native", "encode_lines", "join_lines", "transpose", "warned"]


class Native(Protocol):
    """What ``_speedups`` provides (its stub is ``_speedups.pyi``)."""

    def transpose(self, rows: list[list[str]], width: int, /) -> list[list[str]]: ...

    def join_lines(self, pieces: Sequence[str | list[str]], /) -> list[str]: ...

    def phone_fragments(
        self,
        columns: Sequence[Sequence[str]],
        heads: dict[str, str],
        candidate: Callable[[str], str],
        choose: Callable[[Sequence[str], int], str],
        order: int,
        /,
    ) -> list[str]: ...

    # (cells, blank, fallback[, dict]) -> fragments: ``blank`` for an empty cell, the common
    # shape settled in C, ``fallback(cell)`` for any other cell.
    def email_fragments(
        self, cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
    ) -> list[str]: ...

    def json_strings(
        self, cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
    ) -> list[str]: ...

    def amount_fragments(
        self, cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
    ) -> list[str]: ...

    def date_fragments(
        self, cells: Sequence[str], blank: str, fallback: Callable[[str], str], /
    ) -> list[str]: ...

    def address_fragments(
        self,
        cells: Sequence[str],
        blank: str,
        fallback: Callable[[str], str],
        streets: dict[str, str | None],
        /,
    ) -> list[str]: ...

    def url_fragments(
        self,
        cells: Sequence[str],
        blank: str,
        fallback: Callable[[str], str],
        origins: dict[str, bool],
        /,
    ) -> list[str]: ...

    def address_pair_fragments(
        self,
        houses: Sequence[str],
        streets: Sequence[str],
        fallback: Callable[[str, str], str],
        memo: dict[str, str | None],
        /,
    ) -> list[str]: ...

    def prefixed_strings(
        self, cells: Sequence[str], prefix: str, fallback: Callable[[str], str], /
    ) -> list[str]: ...

    def memo_fragments(self, cells: Sequence[str], memo: dict[str, str], /) -> list[str]: ...

    def warned(self, columns: Sequence[list[str]], /) -> list[int]: ...

    def encode_lines(self, lines: list[str], /) -> bytes: ...


def _native() -> Native | None:
    try:
        from pipeline.sources import _speedups
    except ImportError:  # built without a C compiler
        return None
    return _speedups


NATIVE: Native | None = _native()
"""The C helpers, or ``None``. Tests set it to ``None`` to run the pure-Python path."""


def transpose(rows: list[list[str]]) -> Sequence[Sequence[str]]:
    """The columns of ``rows`` (at least one row; all of the same width)."""
    if NATIVE is not None:
        return NATIVE.transpose(rows, len(rows[0]))
    return list(zip(*rows, strict=True))


def join_lines(pieces: Sequence[str | list[str]]) -> list[str]:
    """Line ``r`` is the concatenation of the pieces in order: a ``str`` piece as it is, a
    list piece's item ``r``. As many lines as the shortest list piece has items (there
    must be one)."""
    if NATIVE is not None:
        return NATIVE.join_lines(pieces)
    columns = [piece if type(piece) is list else repeat(piece) for piece in pieces]
    return list(map("".join, zip(*columns, strict=False)))


def warned(columns: Sequence[list[str]]) -> list[int]:
    """The indices of the columns holding anything but exact ``str`` (fragments that
    carry warnings)."""
    if NATIVE is not None:
        return NATIVE.warned(columns)
    return [index for index, column in enumerate(columns) if not set(map(type, column)) <= {str}]


def encode_lines(lines: list[str]) -> bytes:
    """Each line and a newline, encoded as UTF-8."""
    if NATIVE is not None:
        return NATIVE.encode_lines(lines)
    # Line by line: an ASCII line (most of them) is copied as it is, while one non-ASCII
    # line would make the whole joined text take the slower UTF-8 encoder.
    return b"\n".join([*map(str.encode, lines), b""])
