"""Phone and email rules."""

from __future__ import annotations

import pytest

from pipeline.core.records import FieldIssue
from pipeline.normalize.contact import choose_phones, normalize_email, normalize_phone
from pipeline.normalize.issues import Rejected


@pytest.mark.parametrize(
    "raw",
    [
        "5552345678",
        "555-234-5678",
        "(555) 234-5678",
        "555.234.5678",
        " 555 234 5678 ",
        "555 234 56 78",
    ],
)
def test_phone_punctuation_is_dropped(raw: str) -> None:
    assert normalize_phone(raw) == "5552345678"


@pytest.mark.parametrize(
    "raw", ["+1 (555) 234-5678", "1-555-234-5678", "15552345678", "+15552345678"]
)
def test_phone_with_country_code_keeps_last_ten_digits(raw: str) -> None:
    assert normalize_phone(raw) == "5552345678"


@pytest.mark.parametrize(
    "raw",
    ["555-234-5678 x12", "555-234-5678x12", "555.234.5678 ext. 12", "(555) 234-5678 Ext 9",
     "555 234 5678 extension 12", "555-234-5678 #12"],
)  # fmt: skip
def test_phone_extension_is_dropped(raw: str) -> None:
    assert normalize_phone(raw) == "5552345678"


@pytest.mark.parametrize(
    "raw", ["5552345678.0", "5552345678.00", "5.552345678E+09", "15552345678.0"]
)
def test_phone_read_as_a_spreadsheet_number_is_recovered(raw: str) -> None:
    assert normalize_phone(raw) == "5552345678"


def test_issue_example_excel_phone_is_read_then_fails_the_exchange_rule() -> None:
    # The issue's own example, 555-123-4567, has exchange 123: the ".0" is handled (the
    # reason is the exchange, not a digit count), the number itself is not dialable.
    assert normalize_phone("5551234567.0") == normalize_phone("5551234567")
    assert normalize_phone("5551234567.0") == Rejected(
        "invalid_phone", "exchange (digits 4-6) must start with 2 to 9"
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("555-1234", "7 digits"),
        ("555234567890", "12 digits"),
        ("25552345678", "11 digits"),
        ("0552345678", "area code must start"),
        ("1552345678", "area code must start"),
        ("4115552345", "service code"),
        ("9115552345", "service code"),
        ("5550345678", "exchange"),
        ("5551345678", "exchange"),
        ("5555555555", "repeats one digit"),
        ("2222222222", "repeats one digit"),
        ("1-800-FLOWERS", "digits, not 10"),
        ("5.55E+09", "scientific notation"),
        ("N/A", "0 digits"),
    ],
)
def test_invalid_phone_is_rejected_with_its_reason(raw: str, reason: str) -> None:
    result = normalize_phone(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_phone"
    assert reason in result.message


def test_exchange_may_look_like_a_service_code() -> None:
    # Only the area code may not be N11; 411 as an exchange is an ordinary number.
    assert normalize_phone("555-411-2345") == "5554112345"


@pytest.mark.parametrize("raw", ["", "   ", "\t"])
def test_blank_phone_is_no_phone(raw: str) -> None:
    assert normalize_phone(raw) is None


def test_first_valid_candidate_is_the_phone_and_other_distinct_valid_ones_are_alternates() -> None:
    phone, alternates, issues = choose_phones(
        ["555-1234", "(555) 234-5678", "555.234.5678", "", "+1 555 876 5432", "5552345678.0"]
    )
    assert phone == "5552345678"
    assert alternates == ["5558765432"]
    assert issues == [
        FieldIssue(
            field="phone",
            code="invalid_phone",
            message="phone candidate 1: phone number has 7 digits, not 10",
        )
    ]


def test_every_invalid_candidate_gets_its_own_warning() -> None:
    phone, alternates, issues = choose_phones(["123", "0000000000"])
    assert (phone, alternates) == (None, [])
    assert [issue.message.split(":")[0] for issue in issues] == [
        "phone candidate 1",
        "phone candidate 2",
    ]


def test_no_candidates_means_no_phone_and_no_warning() -> None:
    assert choose_phones([]) == (None, [], [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mary@Example.COM", "mary@example.com"),
        ("  mary.ann+leads@mail.example.com ", "mary.ann+leads@mail.example.com"),
        ("o'neil@example.com", "o'neil@example.com"),
        ("x@example.co", "x@example.co"),
        ("j_doe-1@sub-domain.example.org", "j_doe-1@sub-domain.example.org"),
    ],
)
def test_valid_email_is_lower_cased_and_trimmed(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "mary", "mary@", "@example.com", "mary@example", "mary@@example.com",
        "mary@example..com", ".mary@example.com", "mary.@example.com", "ma..ry@example.com",
        "mary smith@example.com", "mary@-example.com", "mary@example.c", "mary@exa_mple.com",
        "maría@example.com", "mary@example.com.", "no-email", "N/A",
        f"{'a' * 65}@example.com", f"mary@{'a' * 250}.com",
    ],
)  # fmt: skip
def test_malformed_email_is_rejected(raw: str) -> None:
    result = normalize_email(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_email"


@pytest.mark.parametrize("raw", ["", "  "])
def test_blank_email_is_no_email(raw: str) -> None:
    assert normalize_email(raw) is None
