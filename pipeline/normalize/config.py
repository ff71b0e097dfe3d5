"""Per-tenant knobs of the normalization rules."""

from __future__ import annotations

import datetime as dt

import msgspec

from pipeline.core.structs import Frozen
from pipeline.normalize.credit import HIGHEST_SCORE, LOWEST_SCORE

__all__ = ["DEFAULT_CONFIG", "NormalizeConfig"]


def _default_grade_scores() -> dict[str, int]:
    return {"EXCELLENT": 720, "GOOD": 680, "FAIR": 640, "POOR": 580}


class NormalizeConfig(Frozen):
    """How one tenant wants vendor values read.

    ``credit_grade_scores`` maps an upper-case credit grade (as vendors send it in place of
    a score) to the score recorded in ``credit_score``; the grade itself is kept in
    ``credit_grade``. ``trigger_consent_from`` is the first day on which a bureau trigger
    lead needs a permissible purpose; ``permissible_purpose`` is the tenant's documented
    purpose, ``None`` when it has none on file. Treat the mapping as read-only: it is
    validated once, when the config is built or decoded.
    """

    credit_grade_scores: dict[str, int] = msgspec.field(default_factory=_default_grade_scores)
    trigger_consent_from: dt.date = dt.date(2026, 3, 4)
    permissible_purpose: str | None = None

    def __post_init__(self) -> None:
        # Grades are looked up upper case with single spaces, and a grade's score is stored
        # as a credit score: reject a setting that could never match or store nonsense.
        for grade, score in self.credit_grade_scores.items():
            if grade != " ".join(grade.upper().split()) or not grade:
                raise ValueError(f"credit grade {grade!r} must be upper case, single-spaced")
            if not LOWEST_SCORE <= score <= HIGHEST_SCORE:
                raise ValueError(
                    f"credit grade {grade!r} score {score} is outside "
                    f"{LOWEST_SCORE}-{HIGHEST_SCORE}"
                )


DEFAULT_CONFIG = NormalizeConfig()
