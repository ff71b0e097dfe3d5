"""Money amounts and percents (interest rates, LTV) as floats.

Values are parsed as decimals and converted to float once, so ``0.0595`` becomes exactly the
float nearest 5.95 rather than ``5.949999999999999``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import Final

from pipeline.normalize.issues import Rejected
from pipeline.normalize.text import MISSING_MARKERS

__all__ = ["normalize_amount", "normalize_ltv", "normalize_rate"]

# One amount: digits with correct thousands grouping or none, decimals, an exponent
# (spreadsheets print 1.5E+05) and a K/M/MM/B multiplier; then the same after a "$".
_NUMBER: Final = (
    r"((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]{1,3})?|\.[0-9]+)"
    r"\s*(mm|[kmb])?"
)
_AMOUNT: Final = rf"\$?\s*{_NUMBER}"
_SINGLE: Final = re.compile(_AMOUNT, re.I | re.A)
_NEGATIVE: Final = re.compile(rf"-\s*{_AMOUNT}|\$\s*-\s*{_NUMBER}|\(\s*{_AMOUNT}\s*\)", re.I | re.A)
_RANGE: Final = re.compile(rf"{_AMOUNT}\s*(?:-|\u2013|\u2014|to)\s*{_AMOUNT}", re.I | re.A)
_AT_LEAST: Final = re.compile(
    rf"(?:over|above|more\s+than|greater\s+than|at\s+least|>=?)\s*{_AMOUNT}"
    rf"|{_AMOUNT}\s*(?:\+|plus|or\s+more|or\s+greater|or\s+above|and\s+up|and\s+above)",
    re.I | re.A,
)
_AT_MOST: Final = re.compile(
    rf"(?:under|below|less\s+than|up\s+to|<=?)\s*{_AMOUNT}|{_AMOUNT}\s*(?:or\s+less|and\s+under)",
    re.I | re.A,
)
_SCALE: Final[dict[str, int]] = {"": 1, "k": 1_000, "m": 1_000_000, "mm": 1_000_000, "b": 10**9}

_INVALID = Rejected("invalid_number", "not an amount, a percent, or a band with a lower bound")
_NO_LOWER_BOUND = Rejected("invalid_number", "a band with only an upper bound has no value")
_REVERSED_RANGE = Rejected("invalid_number", "a band's lower bound is above its upper bound")
_TOO_LARGE = Rejected("invalid_number", "number is too large")
_NEGATIVE_AMOUNT = Rejected("negative_amount", "amount is negative")


def _decimal(digits: str, scale: str | None) -> Decimal:
    number = Decimal(digits.replace(",", ""))
    return number * _SCALE[scale.lower()] if scale else number


def _first_amount(groups: tuple[str | None, ...]) -> Decimal:
    """The amount in the first filled (digits, scale) pair of an alternation's groups."""
    for index in range(0, len(groups), 2):
        digits = groups[index]
        if digits is not None:
            return _decimal(digits, groups[index + 1])
    raise AssertionError("a matched amount pattern always fills one pair of groups")


def _parse_amount(text: str) -> Decimal | Rejected | None:
    if not text or text.upper() in MISSING_MARKERS:
        return None
    if (match := _SINGLE.fullmatch(text)) is not None:
        return _decimal(match.group(1), match.group(2))
    if (match := _RANGE.fullmatch(text)) is not None:
        low = _decimal(match.group(1), match.group(2))
        high = _decimal(match.group(3), match.group(4))
        return _REVERSED_RANGE if low > high else (low + high) / 2
    if (match := _AT_LEAST.fullmatch(text)) is not None:
        return _first_amount(match.groups())
    if _NEGATIVE.fullmatch(text) is not None:
        return _NEGATIVE_AMOUNT
    if _AT_MOST.fullmatch(text) is not None:
        return _NO_LOWER_BOUND
    return _INVALID


# The shape most amounts come in: "123456", "$123,456", "123456.00".
_PLAIN: Final = re.compile(r"\s*\$?((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?)\s*", re.A)


def _to_float(number: Decimal | str) -> float | Rejected:
    result = float(number)
    return result if math.isfinite(result) else _TOO_LARGE


@lru_cache(maxsize=1 << 13)
def _normalize_unusual_amount(text: str) -> float | Rejected | None:
    number = _parse_amount(text.strip())
    if number is None or isinstance(number, Rejected):
        return number
    return _to_float(number)


def normalize_amount(value: str) -> float | Rejected | None:
    """A dollar amount: ``$1,234.56``, ``250K``, ``1.2M``; a band ``$300,001 - $315,000``
    gives its midpoint and an open band ``$2.0M or more`` its lower bound.

    Blank and ``N/A`` give ``None``; a negative amount is rejected (``negative_amount``), as
    is a band with only an upper bound (``Under $50K``): any value picked from it is a guess.
    """
    # Amounts are mostly unique across a file, so the plain shapes skip the memo.
    # Under 300 digits a float cannot overflow, so the common shapes skip that check.
    if value.isascii() and value.replace(".", "", 1).isdigit() and len(value) < 300:
        return float(value)
    plain = _PLAIN.fullmatch(value)
    if plain is not None:
        return _to_float(plain.group(1).replace(",", ""))
    return _normalize_unusual_amount(value)


_PERCENT: Final = re.compile(r"(-)?\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(%)?", re.A)
_NEGATIVE_RATE = Rejected("rate_out_of_range", "percent is negative")
_RATE_RANGE = Rejected("rate_out_of_range", "interest rate must be between 1 and 30 percent")
_LTV_RANGE = Rejected("rate_out_of_range", "LTV must be 0 or between 1 and 200 percent")


def _parse_percent(value: str, implied_decimals_from: int) -> Decimal | Rejected | None:
    """A percent from ``5.95%``, a fraction ``0.0595``, or implied decimals ``595``.

    A whole number of at least ``implied_decimals_from`` is read with two implied decimals;
    a number below 1 without ``%`` is a fraction of one.
    """
    text = value.strip()
    if not text or text.upper() in MISSING_MARKERS:
        return None
    match = _PERCENT.fullmatch(text)
    if match is None:
        return _INVALID
    sign, digits, percent_sign = match.groups()
    if sign:
        return _NEGATIVE_RATE
    number = Decimal(digits)
    if percent_sign:
        return number
    # "595" and its spreadsheet twin "595.0" are both whole numbers.
    if number >= implied_decimals_from and number == number.to_integral_value():
        return number.scaleb(-2)
    if number < 1:
        return number.scaleb(2)
    return number


@lru_cache(maxsize=4096)
def normalize_rate(value: str) -> float | Rejected | None:
    """An interest rate in percent (5.95 means 5.95 %), from 1 to 30.

    ``5.95%`` -> 5.95, ``0.0595`` -> 5.95, ``595`` -> 5.95, ``6`` -> 6.0. Zero gives ``None``
    without a warning: vendors write 0 for "no such loan".
    """
    number = _parse_percent(value, implied_decimals_from=100)
    if number is None or isinstance(number, Rejected):
        return number
    if number == 0:
        return None
    if not 1 <= number <= 30:
        return _RATE_RANGE
    return float(number)


@lru_cache(maxsize=4096)
def normalize_ltv(value: str) -> float | Rejected | None:
    """Loan-to-value in percent, 0 or from 1 to 200 (an underwater loan exceeds 100).

    ``85%`` -> 85.0, ``0.85`` -> 85.0, ``8500`` -> 85.0; a whole number below 1000 is a
    percent as written (``100`` -> 100.0), since 100 % LTV loans are common.
    """
    number = _parse_percent(value, implied_decimals_from=1000)
    if number is None or isinstance(number, Rejected):
        return number
    if number != 0 and not 1 <= number <= 200:
        return _LTV_RANGE
    return float(number)
