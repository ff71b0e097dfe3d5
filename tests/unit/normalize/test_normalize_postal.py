"""Street line, state and ZIP code."""

from __future__ import annotations

import pytest

from pipeline.normalize.issues import Rejected
from pipeline.normalize.postal import normalize_address, normalize_state, normalize_zip
from pipeline.normalize.usps import STATE_NAMES


@pytest.mark.parametrize("code", sorted(STATE_NAMES))
def test_every_usps_code_is_accepted_in_any_case(code: str) -> None:
    assert normalize_state(code) == code
    assert normalize_state(code.lower()) == code


def test_fifty_states_dc_five_territories_and_three_military_codes() -> None:
    assert len(STATE_NAMES) == 59
    assert {"DC", "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP"} <= set(STATE_NAMES)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Texas", "TX"), ("texas", "TX"), ("NEW  YORK", "NY"), (" north carolina ", "NC"),
        ("District of Columbia", "DC"), ("d.c.", "DC"), ("Washington, D.C.", "DC"),
        ("Puerto Rico", "PR"), ("U.S. Virgin Islands", "VI"), ("Hawai'i", "HI"),
        ("Armed Forces Pacific", "AP"), ("armed forces europe", "AE"),
    ],
)  # fmt: skip
def test_full_state_name_in_any_case_maps_to_its_code(raw: str, expected: str) -> None:
    assert normalize_state(raw) == expected


@pytest.mark.parametrize("raw", ["ZZ", "T", "Tex", "Ontario", "CA 90210", "UK"])
def test_anything_else_is_an_invalid_state(raw: str) -> None:
    result = normalize_state(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_state"


def test_blank_state_is_no_state() -> None:
    assert normalize_state("  ") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02134", "02134"), (" 90210 ", "90210"), ("12345-6789", "12345"), ("12345 6789", "12345"),
        ("123456789", "12345"), ("2134", "02134"), ("501", "00501"), ("2134-1234", "02134"),
        ("21341234", "02134"), ("12345.0", "12345"), ("2134.0", "02134"),
    ],
)  # fmt: skip
def test_zip_keeps_five_digits_and_gets_lost_zeros_back(raw: str, expected: str) -> None:
    assert normalize_zip(raw) == expected


@pytest.mark.parametrize(
    "raw", ["00000", "0", "000", "12", "123456", "1234567", "ABCDE", "K1A 0B6", "1234a"]
)
def test_malformed_zip_is_rejected(raw: str) -> None:
    result = normalize_zip(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_zip"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123 main street", "123 Main St"),
        ("123 OAK AVENUE", "123 Oak Ave"),
        ("5 elm road", "5 Elm Rd"), ("5 elm drive", "5 Elm Dr"), ("5 elm lane", "5 Elm Ln"),
        ("5 elm boulevard", "5 Elm Blvd"), ("5 elm court", "5 Elm Ct"), ("5 elm circle", "5 Elm Cir"),
        ("5 elm place", "5 Elm Pl"), ("5 elm parkway", "5 Elm Pkwy"), ("5 elm highway", "5 Elm Hwy"),
        ("5 elm terrace", "5 Elm Ter"), ("5 elm trail", "5 Elm Trl"),
        ("123 Main St.", "123 Main St"),
    ],
)  # fmt: skip
def test_street_suffix_gets_its_publication_28_abbreviation(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected


def test_suffix_word_inside_the_street_name_is_kept() -> None:
    assert normalize_address("12 CIRCLE DRIVE") == "12 Circle Dr"
    assert normalize_address("40 Court Street") == "40 Court St"


def test_a_lone_street_word_is_not_taken_for_a_suffix() -> None:
    assert normalize_address("123 Park") == "123 Park"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123 north main street", "123 N Main St"),
        ("123 Main Street North", "123 Main St N"),
        ("77 southwest 8th street", "77 SW 8th St"),
        ("1600 pennsylvania ave nw", "1600 Pennsylvania Ave NW"),
        ("9 n. elm st.", "9 N Elm St"),
    ],
)
def test_directionals_are_abbreviated_in_upper_case(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected


def test_directional_word_that_is_the_street_name_is_kept() -> None:
    assert normalize_address("123 north avenue") == "123 North Ave"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123 main st apartment 4", "123 Main St Apt 4"),
        ("123 main st apt. 4b", "123 Main St Apt 4B"),
        ("100 park avenue, suite 200", "100 Park Ave Ste 200"),
        ("9 Elm Street #12", "9 Elm St # 12"),
        ("9 Elm Street # 12", "9 Elm St # 12"),
        ("9 Elm St Apt #12", "9 Elm St Apt 12"),
        ("9 elm st unit c", "9 Elm St Unit C"),
        ("9 elm st building 2 floor 3", "9 Elm St Bldg 2 Fl 3"),
        ("12 main st rear", "12 Main St Rear"),
        ("77 coral key drive", "77 Coral Key Dr"),
    ],
)
def test_secondary_units_use_publication_28_designators(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("45 W 1ST ST", "45 W 1st St"), ("2ND AVE", "2nd Ave"), ("101 103RD ST", "101 103rd St")],
)
def test_ordinals_stay_lower_case(raw: str, expected: str) -> None:
    assert normalize_address(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["P.O. BOX 77", "po box 77", "POBOX 77", "P O Box 77", "Post Office Box 77", "PO Box #77"],
)
def test_post_office_box_is_written_po_box(raw: str) -> None:
    assert normalize_address(raw) == "PO Box 77"


def test_parts_on_several_lines_become_one_line() -> None:
    assert normalize_address("123 MAIN ST\nAPT 4") == "123 Main St Apt 4"
    assert normalize_address("  123   main\tst ,  apt 4 ") == "123 Main St Apt 4"


def test_house_numbers_with_letters_and_fractions_are_kept() -> None:
    assert normalize_address("123a main st") == "123A Main St"
    assert normalize_address("123 1/2 main st") == "123 1/2 Main St"
    assert normalize_address("w123n4567 maple rd") == "W123N4567 Maple Rd"


def test_names_in_streets_are_cased_like_names() -> None:
    assert normalize_address("5 MCDONALD BLVD") == "5 McDonald Blvd"
    assert normalize_address("123 o'neil lane") == "123 O'Neil Ln"


@pytest.mark.parametrize("raw", ["", "   ", "N/A", ", ."])
def test_blank_address_is_no_address(raw: str) -> None:
    assert normalize_address(raw) is None
