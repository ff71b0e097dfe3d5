"""Money amounts, interest rates and LTV."""

from __future__ import annotations

import pytest

from pipeline.normalize.amounts import normalize_amount, normalize_ltv, normalize_rate
from pipeline.normalize.issues import Rejected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", 1234.0), ("$1,234.56", 1234.56), (" $ 1,234 ", 1234.0), ("1234.50", 1234.5),
        ("250K", 250_000.0), ("250k", 250_000.0), ("$ 250 K", 250_000.0), ("1.2M", 1_200_000.0),
        ("2MM", 2_000_000.0), ("1.5E+05", 150_000.0), ("0", 0.0), (".5", 0.5),
        ("$1,234,567", 1_234_567.0),
    ],
)  # fmt: skip
def test_amount_is_read_from_currency_text(raw: str, expected: float) -> None:
    assert normalize_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$300,001 - $315,000", 307_500.5), ("300000-400000", 350_000.0),
        ("$250K to $300K", 275_000.0), ("100,000 \u2013 200,000", 150_000.0),
    ],
)  # fmt: skip
def test_amount_band_gives_its_midpoint(raw: str, expected: float) -> None:
    assert normalize_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$2.0M or more", 2_000_000.0), ("2M+", 2_000_000.0), ("Over $1,000,000", 1_000_000.0),
        ("$500K and up", 500_000.0), ("> 750000", 750_000.0),
    ],
)  # fmt: skip
def test_open_band_gives_its_lower_bound(raw: str, expected: float) -> None:
    assert normalize_amount(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "N/A", "n/a", "NULL", "-", "none", "NaN"])
def test_blank_or_missing_amount_is_no_amount(raw: str) -> None:
    assert normalize_amount(raw) is None


@pytest.mark.parametrize("raw", ["-500", "-$500", "$-500", "($1,200)", "- 5"])
def test_negative_amount_is_rejected(raw: str) -> None:
    assert normalize_amount(raw) == Rejected("negative_amount", "amount is negative")


@pytest.mark.parametrize(
    "raw", ["abc", "1,2", "12,34.5", "$", "1.2.3", "Under $50K", "less than 100,000", "400-300",
            "1e999", "\u0661\u0662\u0663", "inf", "1_000"]
)  # fmt: skip
def test_unreadable_amount_is_rejected_as_invalid_number(raw: str) -> None:
    result = normalize_amount(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_number"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5.95%", 5.95), ("5.95 %", 5.95), ("5.95", 5.95), ("0.0595", 5.95), (".065", 6.5),
        ("776", 7.76), ("595.0", 5.95), ("6", 6.0), ("12.5", 12.5), ("30", 30.0),
    ],
)  # fmt: skip
def test_rate_is_a_percent_from_percent_fraction_or_implied_decimals(
    raw: str, expected: float
) -> None:
    assert normalize_rate(raw) == expected


def test_zero_rate_means_no_loan_and_is_no_rate() -> None:
    assert normalize_rate("0") is None
    assert normalize_rate("0.00%") is None


@pytest.mark.parametrize("raw", ["0.5", "0.5%", "31", "5950", "45%"])
def test_implausible_rate_is_out_of_range(raw: str) -> None:
    result = normalize_rate(raw)
    assert isinstance(result, Rejected)
    assert result.code == "rate_out_of_range"


@pytest.mark.parametrize("raw", ["-5.95", "-1%"])
def test_negative_percent_is_out_of_range(raw: str) -> None:
    assert normalize_rate(raw) == Rejected("rate_out_of_range", "percent is negative")
    assert normalize_ltv(raw) == Rejected("rate_out_of_range", "percent is negative")


@pytest.mark.parametrize("raw", ["five", "5,95", "%", "5.95%%"])
def test_unreadable_rate_is_an_invalid_number(raw: str) -> None:
    result = normalize_rate(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_number"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85", 85.0), ("85%", 85.0), ("0.85", 85.0), ("8500", 85.0), ("100", 100.0),
        ("125", 125.0), ("0", 0.0), ("97.5", 97.5),
    ],
)  # fmt: skip
def test_ltv_is_a_percent_and_100_stays_100(raw: str, expected: float) -> None:
    assert normalize_ltv(raw) == expected


@pytest.mark.parametrize("raw", ["250", "0.5%", "999"])
def test_implausible_ltv_is_out_of_range(raw: str) -> None:
    result = normalize_ltv(raw)
    assert isinstance(result, Rejected)
    assert result.code == "rate_out_of_range"
