"""Phone numbers and email addresses: the ways Bonzo (and a loan officer) reach a lead."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final

from pipeline.core.records import FieldIssue
from pipeline.normalize.issues import Rejected

__all__ = ["choose_phones", "drop_phone_punctuation", "normalize_email", "normalize_phone"]

# The shapes nearly every vendor phone comes in, in one pass: optional +1/1, any of "() .-"
# between the groups, then an optional extension or the ".0" of a spreadsheet number.
_COMMON: Final = re.compile(
    r"\s*(?:\+?1[\s.-]*)?\(?([2-9][0-9]{2})\)?[\s.-]*([2-9][0-9]{2})[\s.-]*([0-9]{4})"
    r"(?:\.0+|\s*(?:(?:extension|ext|x)\.?|#)\s*[0-9]+)?\s*",
    re.I | re.A,
)
# A trailing extension: "x12", "ext. 12", "extension 12", "#12". Bonzo has no extension field,
# and its digits would otherwise be read as part of the number.
_EXTENSION: Final = re.compile(r"\s*(?:(?:extension|ext|x)\.?|#)\s*[0-9]+\s*$", re.I | re.A)
# Spreadsheets turn a phone column into numbers: 5551234567.0, or 5.551234567E+09.
_EXCEL_INTEGER: Final = re.compile(r"([0-9]+)\.0*", re.A)
_EXCEL_SCIENTIFIC: Final = re.compile(r"[0-9]\.[0-9]+[eE]\+?[0-9]{1,2}", re.A)
_NON_DIGITS: Final = re.compile(r"[^0-9]+", re.A)
# North American Numbering Plan: area codes and exchanges start with 2-9.
_NANP_FIRST_DIGITS: Final = frozenset("23456789")

_NOT_A_NUMBER = Rejected("invalid_phone", "phone number is in scientific notation and lost digits")
_SAME_DIGITS = Rejected("invalid_phone", "phone number repeats one digit")
_BAD_AREA_CODE = Rejected("invalid_phone", "area code must start with a digit from 2 to 9")
_SERVICE_AREA_CODE = Rejected("invalid_phone", "area code cannot be a service code like 411")
_BAD_EXCHANGE = Rejected("invalid_phone", "exchange (digits 4-6) must start with 2 to 9")

_EMAIL: Final = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})",
    re.A,
)
_INVALID_EMAIL = Rejected("invalid_email", "email address is not valid (name@domain.tld)")
_LONG_EMAIL = Rejected("invalid_email", "email address is longer than 254 characters")


def drop_phone_punctuation(value: str) -> str:
    """``value`` without the punctuation phone numbers are written with (``-() .+``).

    Plain string operations: they beat any pattern for the usual punctuation.
    """
    return (
        value.replace("-", "")
        .replace(" ", "")
        .replace("(", "")
        .replace(")", "")
        .replace(".", "")
        .replace("+", "")
    )


def normalize_phone(value: str) -> str | Rejected | None:
    """A North American number as its 10 digits (``"5552345678"``), or why it is not one.

    Accepts any punctuation, a leading ``+1``/``1``, a trailing extension (dropped) and the
    number-formatted cells spreadsheets produce. Blank gives ``None``.
    """
    if value.isascii():
        if len(value) == 10 and value.isdigit():
            return _check_nanp(value)
        digits = drop_phone_punctuation(value)
        if digits.isdigit():
            if len(digits) == 10:
                return _check_nanp(digits)
            if len(digits) == 11 and digits[0] == "1":
                return _check_nanp(digits[1:])
    common = _COMMON.fullmatch(value)
    if common is not None:
        # The pattern already holds area code and exchange to 2-9.
        digits = "".join(common.groups())
        if digits[1:3] != "11" and digits != digits[0] * 10:
            return digits
        return _check_nanp(digits)
    return _normalize_unusual_phone(value)


@lru_cache(maxsize=4096)
def _normalize_unusual_phone(value: str) -> str | Rejected | None:
    """Every other shape, and the numbers ``_COMMON`` refuses, with a precise reason.

    Memoized because junk (``N/A``, ``0000000000``, ``555-1234``) repeats across a file.
    """
    text = value.strip()
    if not text:
        return None
    extension = _EXTENSION.search(text)
    if extension is not None and extension.start() > 0:
        text = text[: extension.start()]
    excel = _EXCEL_INTEGER.fullmatch(text)
    if excel is not None:
        digits = excel.group(1)
    elif _EXCEL_SCIENTIFIC.fullmatch(text):
        digits = _scientific_digits(text)
        if digits is None:
            return _NOT_A_NUMBER
    else:
        digits = _NON_DIGITS.sub("", text)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        return Rejected("invalid_phone", f"phone number has {len(digits)} digits, not 10")
    return _check_nanp(digits)


def _scientific_digits(text: str) -> str | None:
    """The integer a spreadsheet printed as ``5.551234567E+09``, if no digit was lost.

    ``5.55E+09`` is what a narrow column shows of a longer number: its zeros are made up.
    """
    significant = text.upper().partition("E")[0].replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    digits = str(int(number))
    if number != number.to_integral_value() or len(digits) > len(significant):
        return None
    return digits


def _check_nanp(digits: str) -> str | Rejected:
    """Ten ASCII digits as a dialable NANP number, or why they are not one."""
    if digits[0] not in _NANP_FIRST_DIGITS:
        return _BAD_AREA_CODE
    if digits[1] == "1" and digits[2] == "1":
        return _SERVICE_AREA_CODE
    if digits[3] not in _NANP_FIRST_DIGITS:
        return _BAD_EXCHANGE
    if digits == digits[0] * 10:
        return _SAME_DIGITS
    return digits


def choose_phones(candidates: Sequence[str]) -> tuple[str | None, list[str], list[FieldIssue]]:
    """Split the phone candidates of a record into ``phone``, ``alt_phones`` and warnings.

    The first valid candidate is the phone; later valid ones that differ from every earlier
    one are alternates, in vendor order. Each invalid, non-blank candidate gives one
    ``invalid_phone`` warning on field ``phone`` whose message says which candidate it was.
    """
    if len(candidates) == 1 and type(only := normalize_phone(candidates[0])) is str:
        return only, [], []
    phone: str | None = None
    alternates: list[str] = []
    issues: list[FieldIssue] = []
    for position, candidate in enumerate(candidates, start=1):
        result = normalize_phone(candidate)
        if result is None:
            continue
        if isinstance(result, Rejected):
            issues.append(
                FieldIssue(
                    field="phone",
                    code=result.code,
                    message=f"phone candidate {position}: {result.message}",
                )
            )
        elif phone is None:
            phone = result
        elif result != phone and result not in alternates:
            alternates.append(result)
    return phone, alternates, issues


def normalize_email(value: str) -> str | Rejected | None:
    """The address lower-cased and syntax-checked (no DNS lookup); blank gives ``None``.

    Only ASCII addresses are accepted: in US lead files a non-ASCII address is far more
    often a mangled encoding than an internationalized mailbox.
    """
    email = value.strip().lower()
    if not email:
        return None
    if len(email) > 254:
        return _LONG_EMAIL
    if _EMAIL.fullmatch(email) is None or email.index("@") > 64:
        return _INVALID_EMAIL
    return email
