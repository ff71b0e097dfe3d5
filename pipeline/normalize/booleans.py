"""Yes/no fields (cash_out, found_home, va_eligible, has_second_mortgage)."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from pipeline.normalize.issues import Rejected
from pipeline.normalize.text import MISSING_MARKERS

__all__ = ["normalize_boolean"]

_WORDS: Final[dict[str, bool]] = {
    "Y": True,
    "YES": True,
    "TRUE": True,
    "T": True,
    "1": True,
    "1.0": True,
    "N": False,
    "NO": False,
    "FALSE": False,
    "F": False,
    "0": False,
    "0.0": False,
}
_INVALID = Rejected("invalid_boolean", "expected Y/YES/TRUE/T/1 or N/NO/FALSE/F/0")


@lru_cache(maxsize=256)
def normalize_boolean(value: str) -> bool | Rejected | None:
    """``True``/``False`` from the usual spellings in any case; blank or ``N/A`` gives ``None``.

    Anything else is rejected rather than read as "no": a lead wrongly marked as not
    wanting cash out is worse than one marked unknown.
    """
    word = value.strip().upper()
    if not word or word in MISSING_MARKERS:
        return None
    return _WORDS.get(word, _INVALID)
