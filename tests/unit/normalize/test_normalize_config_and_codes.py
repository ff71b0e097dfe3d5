"""Tenant configuration of the rules, and the issue-code contract."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import msgspec
import pytest

from pipeline.normalize import CODES, ERROR_CODES, NormalizeConfig
from pipeline.normalize.issues import Rejected

PACKAGE = Path(__file__).parents[3] / "pipeline" / "normalize"


def test_config_decodes_from_settings_data() -> None:
    config = msgspec.convert(
        {
            "credit_grade_scores": {"EXCELLENT": 760, "VERY GOOD": 730},
            "trigger_consent_from": "2026-04-01",
            "permissible_purpose": "consumer's written instructions",
        },
        NormalizeConfig,
    )
    assert config.credit_grade_scores == {"EXCELLENT": 760, "VERY GOOD": 730}
    assert config.trigger_consent_from == dt.date(2026, 4, 1)


@pytest.mark.parametrize("grades", [{"good": 680}, {"VERY  GOOD": 700}, {"": 700}])
def test_grade_that_could_never_match_is_refused(grades: dict[str, int]) -> None:
    with pytest.raises(msgspec.ValidationError, match="upper case"):
        msgspec.convert({"credit_grade_scores": grades}, NormalizeConfig)


@pytest.mark.parametrize("score", [299, 851, 9001])
def test_grade_score_outside_the_fico_range_is_refused(score: int) -> None:
    with pytest.raises(ValueError, match="outside 300-850"):
        NormalizeConfig(credit_grade_scores={"GOOD": score})


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"credit_grades": {}}, NormalizeConfig)


def _codes_used_in_the_package() -> set[str]:
    # Codes appear as the first argument of Rejected(...) or as code="..." in FieldIssue(...).
    used: set[str] = set()
    for source in PACKAGE.glob("*.py"):
        text = source.read_text()
        used.update(re.findall(r'Rejected\(\s*"([a-z_]+)"', text))
        used.update(re.findall(r'code="([a-z_]+)"', text))
    return used


def test_every_code_in_the_package_is_listed_and_every_listed_code_is_used() -> None:
    assert _codes_used_in_the_package() == set(CODES)


def test_error_codes_are_codes() -> None:
    assert set(ERROR_CODES) <= set(CODES)
    assert {"contact_required", "first_name_required"} <= ERROR_CODES


def test_codes_are_stable_snake_case_with_a_meaning() -> None:
    assert all(
        re.fullmatch(r"[a-z]+(?:_[a-z]+)*", code) and meaning for code, meaning in CODES.items()
    )
    assert isinstance(Rejected("invalid_zip", "m"), tuple)
