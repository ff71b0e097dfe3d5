"""Fragments for a whole column of a chunk at once, with ``str`` methods that run in C.

A per-cell producer (:mod:`pipeline.sources.fragments`) costs a Python call for every cell
whose value does not repeat: 0.3-0.6 microseconds, paid six times a row on a file with six
amount columns. Whole-dollar amounts (``123456``, ``123456.00``, ``$123,456``) make up
nearly all of such a column, and consent URLs of one certificate host nearly all of
theirs; checking and rewriting them does not need Python per cell: the chunk's cells are
joined into one text, checked with a handful of scans over it (``count``, ``isdigit``,
``isprintable``, one regular expression that only stops at commas) and rewritten by
``translate``, ``replace`` and ``split``. A column with any other cell (a band, ``N/A``,
cents, a leading zero, a second host) gets ``None`` and the caller's per-cell producer, so
these paths only have to be exact for the shapes they accept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from pipeline.sources.fragments import positions, url_origin

__all__ = ["consent_url_column", "whole_dollar_column"]

# A comma that is not a thousands separator: not followed by three digits and the end of
# the number, not preceded by a digit, or ending a first group of four or more digits. It
# starts with a literal comma, so the search only stops at commas.
_BAD_GROUPING: Final = re.compile(
    r",(?:(?![0-9]{3}(?:[,.\n]|\Z))|(?<![0-9],)|(?<=[0-9]{4},))", re.ASCII
)
_DOLLARS_AND_COMMAS: Final = str.maketrans("", "", "$,")
_MAX_DIGITS: Final = 15
"""Whole numbers of up to 15 digits are exact floats, which msgspec writes as ``N.0``."""


def whole_dollar_column(cells: Sequence[str], blank: str) -> list[str] | None:
    """The fragments of an amount column (``"123456.0"``; ``blank`` for an empty cell)
    when every cell is empty or a whole-dollar amount ``normalize_amount`` reads as
    itself: ASCII digits without a leading zero, at most 15 of them, thousands grouped
    correctly or not at all, an optional leading ``$`` and trailing ``.00``. ``None``
    when any cell is anything else."""
    text = "\n".join(cells)
    # A cell with a newline of its own would shift every later line.
    if not text.isascii() or text.count("\n") != len(cells) - 1:
        return None
    if "$" in text and text.count("$") != text.count("\n$") + text.startswith("$"):
        return None
    if "," in text and _BAD_GROUPING.search(text) is not None:
        return None
    # "$", ".00" or "$.00" alone would read as blank below; the rule reads them otherwise.
    if "$\n" in text or text.endswith("$") or "$." in text or "\n." in text or text[:1] == ".":
        return None
    digits = text.translate(_DOLLARS_AND_COMMAS)
    if "." in digits:
        digits = (digits + "\n").replace(".00\n", "\n")[:-1]
    if digits.startswith("0") or "\n0" in digits:
        return None
    joined = digits.replace("\n", "")
    if joined and not joined.isdigit():
        return None
    fragments = (digits.replace("\n", ".0\n") + ".0").split("\n")
    if max(map(len, fragments)) > _MAX_DIGITS + 2:
        return None
    for position in positions(fragments, ".0"):
        fragments[position] = blank
    return fragments


def consent_url_column(cells: Sequence[str], blank: str) -> list[str] | None:
    """The fragments of a consent URL column (the URL as a JSON string; ``blank`` for an
    empty cell) when every other cell is a valid URL of one origin (see
    :func:`~pipeline.sources.fragments.url_origin`) that JSON writes as it is: printable
    ASCII without spaces, quotes or backslashes. ``None`` otherwise."""
    text = "\n".join(cells)
    if not text.isascii() or text.count("\n") != len(cells) - 1:
        return None
    if " " in text or '"' in text or "\\" in text or not text.replace("\n", "").isprintable():
        return None
    urls = len(cells) - cells.count("")
    if not urls:
        return [blank] * len(cells)
    origin = url_origin(next(cell for cell in cells if cell))
    # An origin is found at most once per line, and only at its start after a newline.
    if not origin or text.count("\n" + origin) + text.startswith(origin) != urls:
        return None
    fragments = ('"' + text.replace("\n", '"\n"') + '"').split("\n")
    for position in positions(fragments, '""'):
        fragments[position] = blank
    return fragments
