"""Yes/no fields and dates."""

from __future__ import annotations

import pytest

from pipeline.normalize.booleans import normalize_boolean
from pipeline.normalize.dates import normalize_date
from pipeline.normalize.issues import Rejected


@pytest.mark.parametrize(
    "raw", ["Y", "y", "YES", "Yes", "TRUE", "true", "T", "t", "1", " yes ", "1.0"]
)
def test_yes_spellings_are_true(raw: str) -> None:
    assert normalize_boolean(raw) is True


@pytest.mark.parametrize("raw", ["N", "n", "NO", "No", "FALSE", "false", "F", "f", "0", "0.0"])
def test_no_spellings_are_false(raw: str) -> None:
    assert normalize_boolean(raw) is False


@pytest.mark.parametrize("raw", ["", "  ", "N/A", "null"])
def test_blank_yes_no_is_unknown(raw: str) -> None:
    assert normalize_boolean(raw) is None


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", "nope", "O"])
def test_other_yes_no_values_are_rejected_not_read_as_no(raw: str) -> None:
    result = normalize_boolean(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_boolean"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1/5/2024", "2024-01-05"), ("01/05/2024", "2024-01-05"), ("1-5-2024", "2024-01-05"),
        ("2024-01-05", "2024-01-05"), ("2024-1-5", "2024-01-05"), ("2024/01/05", "2024-01-05"),
        ("2024-01-05T10:22:33Z", "2024-01-05"), ("2024-01-05 10:22:33.123+05:00", "2024-01-05"),
        ("1/5/2024 10:22 AM", "2024-01-05"), ("20240105", "2024-01-05"),
        ("45296", "2024-01-05"), ("45296.75", "2024-01-05"),
        ("5-Jan-2024", "2024-01-05"), ("05 JAN 24", "2024-01-05"),
        ("January 5, 2024", "2024-01-05"), ("Jan 5th 2024", "2024-01-05"),
        ("Sept 30, 2023", "2023-09-30"), ("2/29/2024", "2024-02-29"),
    ],
)  # fmt: skip
def test_date_layouts_become_iso(raw: str, expected: str) -> None:
    assert normalize_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1/5/24", "2024-01-05"), ("1/5/69", "2069-01-05"), ("1/5/70", "1970-01-05")],
)
def test_two_digit_years_pivot_at_70(raw: str, expected: str) -> None:
    assert normalize_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["13/5/2024", "2/30/2023", "2024-13-01", "1/5/1850", "1/5/2150", "99999", "2024",
     "yesterday", "5 Foo 2024", "1/5", "20241301"],
)  # fmt: skip
def test_impossible_or_unknown_dates_are_rejected(raw: str) -> None:
    result = normalize_date(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_date"


@pytest.mark.parametrize("raw", ["", " ", "N/A", "NULL"])
def test_blank_date_is_no_date(raw: str) -> None:
    assert normalize_date(raw) is None
