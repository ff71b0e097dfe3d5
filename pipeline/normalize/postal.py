"""The postal address: street line (USPS Publication 28 style), state and ZIP code."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from pipeline.normalize.issues import Rejected
from pipeline.normalize.names import proper_case_word
from pipeline.normalize.text import MISSING_MARKERS
from pipeline.normalize.usps import (
    DIRECTIONALS,
    STATE_NAMES,
    STREET_SUFFIXES,
    UNIT_DESIGNATORS,
    UNIT_DESIGNATORS_WITHOUT_NUMBER,
)

__all__ = ["normalize_address", "normalize_state", "normalize_zip"]

# ---- state ---------------------------------------------------------------------------------

_STATE_CODES: Final[dict[str, str]] = {code: code for code in STATE_NAMES}
_STATE_CODES.update({name.upper(): code for code, name in STATE_NAMES.items()})
_STATE_CODES.update(
    {
        "WASHINGTON DC": "DC",
        "US VIRGIN ISLANDS": "VI",
        "UNITED STATES VIRGIN ISLANDS": "VI",
        "ARMED FORCES AFRICA": "AE",
        "ARMED FORCES CANADA": "AE",
        "ARMED FORCES MIDDLE EAST": "AE",
    }
)
# "D.C.", "Hawai'i", "Washington, D.C." are the same names without their punctuation.
_STATE_PUNCTUATION: Final = str.maketrans({".": "", "'": "", "\u2019": "", ",": " "})
_INVALID_STATE = Rejected("invalid_state", "state is not a USPS state or territory code or name")


@lru_cache(maxsize=1024)
def normalize_state(value: str) -> str | Rejected | None:
    """The two-letter USPS code in upper case; a full name in any case gives its code."""
    key = " ".join(value.translate(_STATE_PUNCTUATION).upper().split())
    if not key:
        return None
    return _STATE_CODES.get(key, _INVALID_STATE)


# ---- ZIP code ------------------------------------------------------------------------------

# ZIP, ZIP+4, or a ZIP+4 whose leading zeros a spreadsheet dropped ("2134-1234").
_ZIP_PLUS_FOUR: Final = re.compile(r"([0-9]{3,5})(?:[- ][0-9]{4})?", re.A)
# A ZIP column read as a number: "2134", "12345.0", "021341234", "21341234".
_ZIP_NUMBER: Final = re.compile(r"([0-9]{3,9})(?:\.0*)?", re.A)
_INVALID_ZIP = Rejected("invalid_zip", "ZIP code must have 5 digits (or ZIP+4)")
_ZERO_ZIP = Rejected("invalid_zip", "ZIP code 00000 does not exist")


@lru_cache(maxsize=1 << 15)
def normalize_zip(value: str) -> str | Rejected | None:
    """The 5-digit ZIP code; ZIP+4 keeps its first five, a 3-4 digit number gets its zeros."""
    text = value.strip()
    if not text:
        return None
    match = _ZIP_PLUS_FOUR.fullmatch(text)
    if match is not None:
        zip_code = match.group(1).zfill(5)
    else:
        match = _ZIP_NUMBER.fullmatch(text)
        if match is None:
            return _INVALID_ZIP
        digits = match.group(1)
        if len(digits) <= 5:
            zip_code = digits.zfill(5)
        elif len(digits) >= 8:
            zip_code = digits.zfill(9)[:5]
        else:
            return _INVALID_ZIP
    return _ZERO_ZIP if zip_code == "00000" else zip_code


# ---- street line ---------------------------------------------------------------------------

# Publication 28 writes no punctuation in a delivery line; periods inside numbers stay.
_PERIOD: Final = re.compile(r"(?<![0-9])\.|\.(?![0-9])")
_DIGIT: Final = re.compile(r"[0-9]")
_PO_BOX: Final = re.compile(
    r"\s*(?:p\s*\.?\s*o\s*\.?|post\s+office)\s*(?:box|bx)\b\s*\.?\s*#?\s*", re.I | re.A
)
_ORDINAL: Final = re.compile(r"[0-9]+(?:st|nd|rd|th)", re.A)
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_UNIT_WORDS: Final = frozenset(UNIT_DESIGNATORS).union(UNIT_DESIGNATORS_WITHOUT_NUMBER)


@lru_cache(maxsize=1 << 14)
def _case_address_word(word: str) -> str:
    """A word in proper case; a word with digits is upper case unless it is an ordinal."""
    if any(ch.isdigit() for ch in word):
        lowered = word.lower()
        return lowered if _ORDINAL.fullmatch(lowered) else word.upper()
    if len(word) <= 2 and (directional := DIRECTIONALS.get(word.lower())) is not None:
        return directional
    return proper_case_word(word)


def _is_unit_number(word: str) -> bool:
    return word == "#" or len(word) == 1 or any(ch.isdigit() for ch in word)


def normalize_address(value: str) -> str | None:
    """The street line on one line, title case, with Publication 28 abbreviations.

    Parts joined with commas or newlines become one line. The street suffix is abbreviated
    only in suffix position (``12 Circle Drive`` -> ``12 Circle Dr``), directional words only
    before or after the street name, unit designators where a unit number follows; ``#`` is
    kept with a space before the number (``# 4``) unless a designator precedes it
    (``Apt #4`` -> ``Apt 4``). Ordinals stay lower case (``1st``); ``P.O. BOX 7`` ->
    ``PO Box 7``.
    """
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value).translate(_APOSTROPHES)
    if "," in value or ";" in value:
        value = value.replace(",", " ").replace(";", " ")
    if "." in value:
        value = _PERIOD.sub(" ", value)
    if "#" in value:
        value = value.replace("#", " # ")
    parts = value.split(None, 1)
    if len(parts) == 2 and parts[0].isdigit():
        # The house number is unique to the lead; the street after it repeats across a
        # file, so only the street goes through the memo.
        return f"{parts[0]} {_street(parts[1])}"
    if not parts or (len(parts) == 1 and parts[0].upper() in MISSING_MARKERS):
        return None
    first = parts[0]
    if first[0] in "pP" and (po_box := _PO_BOX.match(value)) is not None:
        return " ".join(["PO Box", *(word.upper() for word in value[po_box.end() :].split())])
    if _DIGIT.search(first) is None:
        return _street(value)
    # A house number with letters ("12B", "N123W456").
    house_number = _case_address_word(first)
    return f"{house_number} {_street(parts[1])}" if len(parts) == 2 else house_number


@lru_cache(maxsize=1 << 15)
def _street(text: str) -> str:
    """Street name, suffix, directionals and unit, without the house number."""
    words = text.split()
    lowered = text.lower().split()
    cased = list(map(_case_address_word, words))
    # Most lines have no unit; a set test in C spares them the scan.
    has_unit = "#" in lowered or not _UNIT_WORDS.isdisjoint(lowered)
    unit_start = _find_unit(lowered) if has_unit else len(lowered)
    _abbreviate_street(lowered, cased, unit_start)
    if unit_start < len(lowered):
        _format_unit(lowered, cased, unit_start)
    return " ".join(word for word in cased if word)


def _find_unit(lowered: list[str]) -> int:
    """Index of the first word of the secondary unit, or ``len(lowered)`` if there is none.

    The street name keeps at least its first word: ``Suite Rd`` or ``# 4`` alone is not a
    unit.
    """
    last = len(lowered) - 1
    for index in range(1, len(lowered)):
        word = lowered[index]
        if word == "#":
            return index
        if word in UNIT_DESIGNATORS and index < last and _is_unit_number(lowered[index + 1]):
            return index
    if len(lowered) >= 3 and lowered[last] in UNIT_DESIGNATORS_WITHOUT_NUMBER:
        return last
    return len(lowered)


def _abbreviate_street(lowered: list[str], cased: list[str], end: int) -> None:
    # The street name needs at least one word of its own, so "Park" and "North Ave" keep
    # their words spelled out.
    last = end - 1
    if last >= 2 and lowered[last] in DIRECTIONALS:
        cased[last] = DIRECTIONALS[lowered[last]]
        last -= 1
    if last > 0 and (suffix := STREET_SUFFIXES.get(lowered[last])) is not None:
        cased[last] = suffix
        last -= 1
    if last > 0 and lowered[0] in DIRECTIONALS:
        cased[0] = DIRECTIONALS[lowered[0]]


def _format_unit(lowered: list[str], cased: list[str], start: int) -> None:
    """Designators abbreviated, unit numbers upper case, ``#`` dropped after a designator."""
    after_designator = False
    for index in range(start, len(lowered)):
        word = lowered[index]
        if word in UNIT_DESIGNATORS:
            cased[index] = UNIT_DESIGNATORS[word]
            after_designator = True
            continue
        if word in UNIT_DESIGNATORS_WITHOUT_NUMBER:
            cased[index] = UNIT_DESIGNATORS_WITHOUT_NUMBER[word]
        elif word == "#" and after_designator:
            cased[index] = ""
        else:
            cased[index] = cased[index].upper()
        after_designator = False
