"""Credit score, bands and grades."""

from __future__ import annotations

import pytest

from pipeline.normalize.credit import apply_grade_scores, normalize_credit_grade, parse_credit_value
from pipeline.normalize.issues import Rejected

GRADES = {"EXCELLENT": 720, "GOOD": 680, "FAIR": 640, "POOR": 580}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("720", 720), ("720.0", 720), (" 715 ", 715), ("300", 300), ("850", 850),
        ("720-739", 720), ("720 - 739", 720), ("720 to 739", 720), ("720\u2013739", 720),
        ("800+", 800), ("800 and up", 800), ("780 or more", 780),
    ],
)  # fmt: skip
def test_score_or_band_gives_an_integer_score(raw: str, expected: int) -> None:
    assert parse_credit_value(raw) == expected


@pytest.mark.parametrize("raw", ["9000", "9001", "9003", "9999", "9002.0"])
def test_fico_exclusion_code_is_rejected_as_excluded(raw: str) -> None:
    result = parse_credit_value(raw)
    assert isinstance(result, Rejected)
    assert result.code == "credit_score_excluded"


@pytest.mark.parametrize("raw", ["0", "299", "851", "1000", "8999", "10000", "250-299"])
def test_score_outside_300_to_850_is_out_of_range(raw: str) -> None:
    result = parse_credit_value(raw)
    assert isinstance(result, Rejected)
    assert result.code == "credit_score_out_of_range"


@pytest.mark.parametrize(
    "raw", ["720.5", "<580", "under 580", "579 or less", "739-720", "7 2 0", "#1"]
)
def test_unreadable_score_is_invalid(raw: str) -> None:
    result = parse_credit_value(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_credit_score"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("EXCELLENT", "EXCELLENT"), ("good", "GOOD"), (" Very  Good ", "VERY GOOD"), ("A+", "A+")],
)
def test_grade_text_is_read_as_an_upper_case_grade(raw: str, expected: str) -> None:
    assert parse_credit_value(raw) == expected


@pytest.mark.parametrize("raw", ["", " ", "N/A", "NULL"])
def test_blank_credit_is_no_score(raw: str) -> None:
    assert parse_credit_value(raw) is None


@pytest.mark.parametrize(("grade", "score"), list(GRADES.items()))
def test_grade_in_score_column_becomes_the_tenants_score_and_is_kept(
    grade: str, score: int
) -> None:
    values: dict[str, object] = {"credit_score": grade}
    assert apply_grade_scores(values, GRADES) is None
    assert values == {"credit_score": score, "credit_grade": grade}


def test_grade_without_a_configured_score_is_kept_and_warned_about() -> None:
    values: dict[str, object] = {"credit_score": "VERY GOOD"}
    issue = apply_grade_scores(values, GRADES)
    assert issue is not None
    assert issue.code == "unknown_credit_grade"
    assert values == {"credit_score": None, "credit_grade": "VERY GOOD"}


def test_vendors_own_grade_column_wins_over_a_grade_in_the_score_column() -> None:
    values: dict[str, object] = {"credit_score": "GOOD", "credit_grade": "B"}
    apply_grade_scores(values, GRADES)
    assert values == {"credit_score": 680, "credit_grade": "B"}


def test_grade_column_supplies_the_score_when_the_score_column_has_none() -> None:
    values: dict[str, object] = {"credit_score": None, "credit_grade": "FAIR"}
    apply_grade_scores(values, GRADES)
    assert values == {"credit_score": 640, "credit_grade": "FAIR"}


def test_grade_column_supplies_the_score_when_the_score_columns_grade_is_unknown() -> None:
    values: dict[str, object] = {"credit_score": "VERY GOOD", "credit_grade": "GOOD"}
    issue = apply_grade_scores(values, GRADES)
    assert issue is not None
    assert issue.code == "unknown_credit_grade"
    assert values == {"credit_score": 680, "credit_grade": "GOOD"}


def test_numeric_score_is_left_alone() -> None:
    values: dict[str, object] = {"credit_score": 701, "credit_grade": "GOOD"}
    assert apply_grade_scores(values, GRADES) is None
    assert values == {"credit_score": 701, "credit_grade": "GOOD"}


def test_grade_column_is_upper_cased_and_collapsed() -> None:
    assert normalize_credit_grade("  very   good ") == "VERY GOOD"
    assert normalize_credit_grade("   ") is None
