"""Proper-name casing for people's names and cities (and the words of a street address)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from pipeline.normalize.issues import Rejected

__all__ = ["normalize_name", "proper_case_word"]

_LETTERS: Final = re.compile(r"[^\W\d_]+")
# Vendors and spreadsheets type apostrophes in several ways; one spelling keeps names equal.
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Generational suffixes that stay upper case. "V" and "X" need no rule: one letter is upper
# case anyway. Only applied after the first word, so a first name "Vi" stays "Vi".
_ROMAN_SUFFIXES: Final = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix"})
# Placeholders typed into name columns. "NA", "NAN" and "NIL" are real names, so unlike
# numeric fields they are not read as blank here.
_PLACEHOLDERS: Final = frozenset({"n/a", "#n/a", "null", "(null)", "none", "unknown", "-", "--"})
_NO_LETTERS = Rejected("invalid_name", "name has no letters")


def _case_letters(match: re.Match[str]) -> str:
    letters = match.group()
    start = match.start()
    if start > 0:
        before = match.string[start - 1]
        # "1st", "4th": an ordinal's letters stay lower case.
        if before.isdigit():
            return letters
        # "Martha's": one letter after an apostrophe is a possessive, not a name part
        # ("O'Neil", "D'Angelo" have more).
        if before == "'" and len(letters) < 2:
            return letters
    if len(letters) > 3 and letters.startswith("mc"):
        return "Mc" + letters[2:].capitalize()
    return letters.capitalize()


def proper_case_word(word: str) -> str:
    """Title-case one whitespace-free word: ``mary-jane`` -> ``Mary-Jane``,
    ``o'neil`` -> ``O'Neil``, ``MCDONALD`` -> ``McDonald``, ``1ST`` -> ``1st``."""
    return _LETTERS.sub(_case_letters, word.lower())


@lru_cache(maxsize=1 << 15)
def normalize_name(value: str) -> str | Rejected | None:
    """A first name, last name or city in proper case with whitespace collapsed.

    Blank and placeholder values (``N/A``, ``NULL``, ``UNKNOWN``) give ``None``; a value
    without any letter is rejected. Roman-numeral suffixes after the first word are upper
    case (``Smith iii`` -> ``Smith III``); ``JR``/``SR`` become ``Jr``/``Sr``.
    """
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    value = value.translate(_APOSTROPHES)
    words = value.split()
    if not words:
        return None
    if len(words) == 1 and words[0].lower() in _PLACEHOLDERS:
        return None
    if _LETTERS.search(value) is None:
        return _NO_LETTERS
    cased = [proper_case_word(words[0])]
    for word in words[1:]:
        lowered = word.lower()
        cased.append(word.upper() if lowered in _ROMAN_SUFFIXES else proper_case_word(word))
    return " ".join(cased)
