"""Proper-name casing of first names, last names and cities."""

from __future__ import annotations

import pytest

from pipeline.normalize.issues import Rejected
from pipeline.normalize.names import normalize_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mary-jane o'neil", "Mary-Jane O'Neil"),
        ("MARY", "Mary"),
        ("mary", "Mary"),
        ("d'angelo", "D'Angelo"),
        ("MCDONALD", "McDonald"),
        ("mckinney", "McKinney"),
        ("smith-jones", "Smith-Jones"),
        ("van der berg", "Van Der Berg"),
        ("josé garcía", "José García"),
        ("ZOË", "Zoë"),
    ],
)
def test_name_is_title_cased_respecting_hyphens_apostrophes_and_mc(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SMITH III", "Smith III"),
        ("smith ii", "Smith II"),
        ("john smith iv", "John Smith IV"),
        ("smith vi", "Smith VI"),
        ("SMITH JR", "Smith Jr"),
        ("smith jr.", "Smith Jr."),
        ("SMITH SR", "Smith Sr"),
    ],
)
def test_generational_suffixes_keep_their_usual_case(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_a_first_word_that_looks_like_a_numeral_is_a_name() -> None:
    assert normalize_name("VI") == "Vi"


def test_mc_alone_or_short_is_not_a_prefix() -> None:
    assert normalize_name("MCX") == "Mcx"


def test_whitespace_is_collapsed() -> None:
    assert normalize_name("  MARY \t  ANN\n ") == "Mary Ann"


def test_typographic_apostrophe_becomes_a_plain_one() -> None:
    assert normalize_name("O\u2019BRIEN") == "O'Brien"


def test_a_possessive_s_stays_lower_case() -> None:
    assert normalize_name("MARTHA'S VINEYARD") == "Martha's Vineyard"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ST. LOUIS", "St. Louis"),
        ("winston-salem", "Winston-Salem"),
        ("MCALLEN", "McAllen"),
        ("o'fallon", "O'Fallon"),
    ],
)
def test_city_uses_the_same_casing(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "N/A", "null", "NULL", "Unknown", "--", "#N/A"])
def test_empty_or_placeholder_name_is_no_name(raw: str) -> None:
    assert normalize_name(raw) is None


@pytest.mark.parametrize("raw", ["Na", "NAN", "Nil"])
def test_short_real_names_are_not_placeholders(raw: str) -> None:
    assert normalize_name(raw) == raw.capitalize()


@pytest.mark.parametrize("raw", ["123", "-.-", "42 42"])
def test_name_without_letters_is_rejected(raw: str) -> None:
    assert normalize_name(raw) == Rejected("invalid_name", "name has no letters")
