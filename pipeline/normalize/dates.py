"""Calendar dates (mortgage_open_date, trigger_date) as ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Final

from pipeline.normalize.issues import Rejected
from pipeline.normalize.text import MISSING_MARKERS

__all__ = ["normalize_date"]

# A time of day after the date is ignored, zone included: the date is kept as the vendor
# wrote it, not shifted to another zone.
_TIME: Final = (
    r"(?:[T ]\s*[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(?:[AP]M)?"
    r"\s*(?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_ISO: Final = re.compile(rf"([0-9]{{4}})[-/]([0-9]{{1,2}})[-/]([0-9]{{1,2}}){_TIME}", re.I | re.A)
_US: Final = re.compile(
    rf"([0-9]{{1,2}})([-/.])([0-9]{{1,2}})\2([0-9]{{4}}|[0-9]{{2}}){_TIME}", re.I | re.A
)
_COMPACT: Final = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:\.0*)?", re.A)
# Five digits only: 10000 is 1927-05-18, and shorter numbers are more likely years or junk.
_EXCEL_SERIAL: Final = re.compile(r"([1-9][0-9]{4})(?:\.[0-9]*)?", re.A)
_DAY_MONTH_YEAR: Final = re.compile(
    rf"([0-9]{{1,2}})[- ]([a-z]{{3,9}})\.?[- ,]\s*([0-9]{{4}}|[0-9]{{2}}){_TIME}", re.I | re.A
)
_MONTH_DAY_YEAR: Final = re.compile(
    rf"([a-z]{{3,9}})\.?\s+([0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+([0-9]{{4}}){_TIME}", re.I | re.A
)
_MONTHS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# Excel counts days from 1899-12-30 (the epoch that absorbs its fictitious 1900-02-29).
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_FIRST_YEAR: Final = 1900
_LAST_YEAR: Final = 2099
# Two-digit years: 00-69 are 2000-2069, 70-99 are 1970-1999 (the POSIX strptime pivot).
_CENTURY_PIVOT: Final = 70

_INVALID = Rejected("invalid_date", "not a date in M/D/YYYY, YYYY-MM-DD or YYYYMMDD form")
_NOT_A_DAY = Rejected("invalid_date", "no such day in the calendar")
_OUT_OF_RANGE = Rejected("invalid_date", f"year must be between {_FIRST_YEAR} and {_LAST_YEAR}")


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        return year + (1900 if year >= _CENTURY_PIVOT else 2000)
    return year


def _iso_date(year: int, month: int, day: int) -> str | Rejected:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return _OUT_OF_RANGE
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return _NOT_A_DAY


def _common_layout(text: str) -> str | Rejected | None:
    """``YYYY-MM-DD``, ``YYYYMMDD`` and ``M/D/YYYY`` without a regular expression (open
    dates spread over decades, so a file holds more distinct dates than the memo keeps);
    ``None`` sends anything else, or anything invalid, to the patterns."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        iso = text
    elif len(text) == 8 and text.isdigit():
        iso = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    elif text.count("/") == 2:
        month, day, year = text.split("/")
        if len(year) == 4 and 0 < len(month) <= 2 and 0 < len(day) <= 2:
            iso = f"{year}-{month:0>2}-{day:0>2}"
        else:
            return None
    else:
        return None
    try:
        parsed = dt.date.fromisoformat(iso)
    except ValueError:
        return None
    return iso if _FIRST_YEAR <= parsed.year <= _LAST_YEAR else _OUT_OF_RANGE


@lru_cache(maxsize=1 << 14)
def normalize_date(value: str) -> str | Rejected | None:
    """``YYYY-MM-DD`` from ``M/D/YYYY`` (or ``M-D-YY``), ISO with or without a time,
    ``YYYYMMDD``, ``05-Jan-2024``, ``January 5, 2024`` or a 5-digit Excel serial day.

    Month-first is assumed for slashed dates (US vendors); a day-first date whose day is
    above 12 is rejected rather than guessed. Blank and ``N/A`` give ``None``.
    """
    text = value.strip()
    if not text or text.upper() in MISSING_MARKERS:
        return None
    if text.isascii() and (common := _common_layout(text)) is not None:
        return common
    if (match := _ISO.fullmatch(text)) is not None:
        year, month, day = match.groups()
        return _iso_date(int(year), int(month), int(day))
    if (match := _US.fullmatch(text)) is not None:
        month, _, day, year = match.groups()
        return _iso_date(_full_year(year), int(month), int(day))
    if (match := _COMPACT.fullmatch(text)) is not None:
        year, month, day = match.groups()
        return _iso_date(int(year), int(month), int(day))
    if (match := _EXCEL_SERIAL.fullmatch(text)) is not None:
        day_of_serial = _EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))
        return _iso_date(day_of_serial.year, day_of_serial.month, day_of_serial.day)
    if (match := _DAY_MONTH_YEAR.fullmatch(text)) is not None:
        day, month_name, year = match.groups()
        month_number = _MONTHS.get(month_name.lower())
        if month_number is not None:
            return _iso_date(_full_year(year), month_number, int(day))
    if (match := _MONTH_DAY_YEAR.fullmatch(text)) is not None:
        month_name, day, year = match.groups()
        month_number = _MONTHS.get(month_name.lower())
        if month_number is not None:
            return _iso_date(int(year), month_number, int(day))
    return _INVALID
