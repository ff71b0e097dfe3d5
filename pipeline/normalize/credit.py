"""Credit score and credit grade.

Vendors send a score (``720``, ``720.0``), a band (``720-739``, ``800+``) or a grade
(``EXCELLENT``). Scores are FICO-range integers; a grade becomes the tenant's score for it
(``NormalizeConfig.credit_grade_scores``) and is kept as ``credit_grade``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from pipeline.normalize.issues import Rejected
from pipeline.normalize.text import MISSING_MARKERS

__all__ = [
    "HIGHEST_SCORE",
    "LOWEST_SCORE",
    "apply_grade_scores",
    "normalize_credit_grade",
    "parse_credit_value",
]

LOWEST_SCORE: Final = 300
HIGHEST_SCORE: Final = 850

_WHOLE: Final = re.compile(r"([0-9]{1,6})(?:\.0*)?", re.A)
_BAND: Final = re.compile(r"([0-9]{3,4})\s*(?:-|\u2013|\u2014|to)\s*([0-9]{3,4})", re.I | re.A)
_AT_LEAST: Final = re.compile(
    r"([0-9]{3,4})\s*(?:\+|or\s+more|or\s+higher|or\s+above|and\s+up|and\s+above)", re.I | re.A
)
_AT_MOST: Final = re.compile(
    r"(?:<=?|under|below|less\s+than)\s*[0-9]{3,4}|[0-9]{3,4}\s*(?:or\s+less|or\s+lower|and\s+below)",
    re.I | re.A,
)
_GRADE: Final = re.compile(r"[a-z][a-z +/-]{0,39}", re.I | re.A)

_INVALID = Rejected("invalid_credit_score", "not a credit score, score band or credit grade")
_NO_LOWER_BOUND = Rejected("invalid_credit_score", "a score band with only an upper bound")
_REVERSED_BAND = Rejected("invalid_credit_score", "a score band's lower bound is above its upper")
_EXCLUDED = Rejected("credit_score_excluded", "FICO exclusion code: the consumer has no score")
_OUT_OF_RANGE = Rejected(
    "credit_score_out_of_range", f"credit score must be from {LOWEST_SCORE} to {HIGHEST_SCORE}"
)
_UNKNOWN_GRADE = Rejected("unknown_credit_grade", "no score is configured for this credit grade")


def _checked(score: int) -> int | Rejected:
    if LOWEST_SCORE <= score <= HIGHEST_SCORE:
        return score
    return _EXCLUDED if 9000 <= score <= 9999 else _OUT_OF_RANGE


@lru_cache(maxsize=4096)
def parse_credit_value(value: str) -> int | str | Rejected | None:
    """A checked score (``int``), an upper-case grade (``str``), a rejection, or ``None``.

    ``720``, ``720.0`` and the band ``720-739`` give 720; ``800+`` gives 800. Exclusion
    codes (9000-9999) and other scores outside 300-850 are rejected, as is a band with only
    an upper bound (``<580``): its score is unknown. A grade is resolved by
    :func:`apply_grade_scores`, since the tenant decides what a grade is worth.
    """
    text = value.strip()
    if not text or text.upper() in MISSING_MARKERS:
        return None
    if (match := _WHOLE.fullmatch(text)) is not None:
        return _checked(int(match.group(1)))
    if (match := _BAND.fullmatch(text)) is not None:
        low, high = int(match.group(1)), int(match.group(2))
        return _REVERSED_BAND if low > high else _checked(low)
    if (match := _AT_LEAST.fullmatch(text)) is not None:
        return _checked(int(match.group(1)))
    if _AT_MOST.fullmatch(text) is not None:
        return _NO_LOWER_BOUND
    if _GRADE.fullmatch(text) is not None:
        return " ".join(text.upper().split())
    return _INVALID


def apply_grade_scores(values: dict[str, Any], grade_scores: Mapping[str, int]) -> Rejected | None:
    """Settle ``credit_score`` and ``credit_grade`` in a record's normalized values.

    A grade found in ``credit_score`` is kept in ``credit_grade``, unless the vendor sent
    its own grade column, which wins. Whenever ``credit_score`` holds no number, the
    tenant's score for the resulting ``credit_grade`` (if it has one) becomes the score.
    Returns ``unknown_credit_grade`` for a grade in ``credit_score`` the tenant has no
    score for.
    """
    credit = values.get("credit_score")
    issue = None
    if type(credit) is str:
        if values.get("credit_grade") is None:
            values["credit_grade"] = credit
        if credit not in grade_scores:
            issue = _UNKNOWN_GRADE
        credit = grade_scores.get(credit)
    if credit is None and (grade := values.get("credit_grade")) is not None:
        credit = grade_scores.get(grade)
    values["credit_score"] = credit
    return issue


@lru_cache(maxsize=256)
def normalize_credit_grade(value: str) -> str | None:
    """A grade sent in its own column: upper case, whitespace collapsed, never rejected."""
    return " ".join(value.upper().split()) or None
