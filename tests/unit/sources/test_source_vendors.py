"""The Experian, TransUnion and LeadSource layouts, on rows as the vendors export them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from pipeline.core.records import RawRecord
from pipeline.sources import SourceFormatError, SourceItem

Read = Callable[..., list[SourceItem]]
ReadRecords = Callable[..., list[RawRecord]]

EXPERIAN_RATE = (
    "Estimated interest rate on open with balance first mortgage loans with the largest "
    "current balance reported in the last 6 months"
)
EXPERIAN_BALANCE = "Total balance on open first mortgage trades reported in the last 3 months"


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


EXPERIAN_HEADER = [
    "First Name", "Surname", "Primary Street ID (House number)", "Street Name/Apartment",
    "City", "State", "Zip Code", "Telephone # 1", "Telephone # 2", "Telephone # 1",
    "Telephone # 3", "FICO_V30A_PSCRN_SCORE_VALUE", EXPERIAN_BALANCE, EXPERIAN_RATE,
    "Age Range", "Mail Responder",
]  # fmt: skip


EXPERIAN_ROW = [
    "MARY ", "O\u2019BRIEN", "1207", "OAK AVE APT 4", "BOSTON", "Massachusetts", "2134",
    "(617) 555-0142", "", "6175550142.0", "617-555-0199", "0742", "$245,000", "776", "35-44",
    "",
]  # fmt: skip


def experian_row(changes: dict[int, str] | None = None) -> list[str]:
    """The sample row with the cells at the given column positions replaced."""
    return [(changes or {}).get(index, cell) for index, cell in enumerate(EXPERIAN_ROW)]


def test_experian_row_maps_to_canonical_fields(read_records: ReadRecords) -> None:
    data = csv_bytes([EXPERIAN_HEADER, experian_row()], encoding="cp1252")

    [record] = read_records("experian", data)

    assert record.fields == {
        "source": "experian",
        "first_name": "MARY ",
        "last_name": "O\u2019BRIEN",
        "address": "1207 OAK AVE APT 4",
        "city": "BOSTON",
        "state": "Massachusetts",
        "zip": "2134",
        "credit_score": "0742",
        "loan_balance": "$245,000",
        # Implied decimals (7.76 %) are the rules' to read; the adapter passes them on.
        "current_rate": "776",
    }
    assert "source_record_id" not in record.fields


def test_duplicated_telephone_headers_are_all_candidates_first_header_first(
    read_records: ReadRecords,
) -> None:
    data = csv_bytes([EXPERIAN_HEADER, experian_row({8: "555-234-5678"})])

    [record] = read_records("experian", data)

    # Telephone # 1 (both occurrences, in file order), then # 2, then # 3.
    assert record.phones == ["(617) 555-0142", "6175550142.0", "555-234-5678", "617-555-0199"]


def test_raw_keeps_every_cell_with_repeated_headers_numbered(read_records: ReadRecords) -> None:
    data = csv_bytes([EXPERIAN_HEADER, experian_row()])

    [record] = read_records("experian", data)

    assert record.raw["Telephone # 1"] == "(617) 555-0142"
    assert record.raw["Telephone # 1 (2)"] == "6175550142.0"
    assert len(record.raw) == len(EXPERIAN_HEADER)


def test_street_alone_is_the_address_when_the_house_number_is_blank(
    read_records: ReadRecords,
) -> None:
    data = csv_bytes([EXPERIAN_HEADER, experian_row({2: " ", 3: "PO BOX 12"})])

    [record] = read_records("experian", data)

    assert record.fields["address"] == "PO BOX 12"


def test_unmapped_non_empty_columns_go_to_extra_by_header(read_records: ReadRecords) -> None:
    header = [*EXPERIAN_HEADER, "City"]
    data = csv_bytes([header, [*experian_row({15: "  "}), "SOMERVILLE"]])

    [record] = read_records("experian", data)

    # Blank cells stay out; a repeated non-phone header is kept under its numbered name.
    assert record.extra == {"Age Range": "35-44", "City (2)": "SOMERVILLE"}
    assert record.fields["city"] == "BOSTON"


TU_HEADER = [
    "Perm_ID", "First_Name", "Last_Name", "Address", "City", "State", "Zipcode",
    "Phone_Number", "FICO04 Score", "Current Balance of Most Recent Mortgage",
    "Monthly Payment Amount of Most Recent Mortgage", "Open Date of Most Recent Mortgage",
    "Trigger_Date", "Segment",
]  # fmt: skip
TU_ROW = [
    "TU48213377", "Renée", "García", "55 Lake Rd", "Newark", "nj", "7102", "+1 973 555 0123",
    "688", "312,400.00", "$1,912", "3/14/2019", "20260502", "B2",
]  # fmt: skip


def test_transunion_row_is_a_trigger_lead_with_its_perm_id(read_records: ReadRecords) -> None:
    data = b"\xef\xbb\xbf" + csv_bytes([TU_HEADER, TU_ROW], delimiter="|")

    [record] = read_records("transunion", data)

    assert record.fields == {
        "source": "transunion",
        "lead_kind": "trigger",
        "source_record_id": "TU48213377",
        "first_name": "Renée",
        "last_name": "García",
        "address": "55 Lake Rd",
        "city": "Newark",
        "state": "nj",
        "zip": "7102",
        "credit_score": "688",
        "loan_balance": "312,400.00",
        "monthly_payment": "$1,912",
        "mortgage_open_date": "3/14/2019",
        "trigger_date": "20260502",
    }
    assert record.phones == ["+1 973 555 0123"]
    assert record.extra == {"Segment": "B2"}


LEADSOURCE_HEADER = [
    "Lead ID", "Lead Type", "First Name", "Last Name", "Address", "City", "State", "ZIP",
    "Email", "Pri. Phone", "Sec. Phone", "Est. Home Value", "Credit Grade", "ADD_CASH",
    "Cash Out", "Loan Type", "Loan Purpose", "Prop. Desc", "BAL_ONE", "MTG_ONE_INT",
    "MTG_TWO", "BAL_TWO", "MTG_TWO_INT", "Found Home", "DOWN_PMT", "Property Purpose",
    "LTV", "bid_loan_val", "VA Eligible", "trustedformCertUrl",
]  # fmt: skip
LEADSOURCE_ROW = [
    "884213", "Refinance", "jennifer", "SMITH", "1187 Lake Rd, Unit 3", "Springfield", "Illinois",
    "62701-6851", "jennifer.smith@example.com", "(312) 555-0175", "312.555.0176",
    "$300,001 - $315,000", "720-739", "$25,000", "Yes", "Conventional", "Cash-Out Refinance",
    "Single Family", "$238,500", "4.375%", "Y", "18000", "7.25", "No", "0",
    "Primary Residence", "78", "$262,000", "N", "https://cert.trustedform.com/0123abcd",
]  # fmt: skip


def test_leadsource_row_maps_every_known_column(read_records: ReadRecords) -> None:
    data = csv_bytes([LEADSOURCE_HEADER, LEADSOURCE_ROW])

    [record] = read_records("leadsource", data)

    assert record.fields == {
        "source": "leadsource",
        "source_record_id": "884213",
        "first_name": "jennifer",
        "last_name": "SMITH",
        "address": "1187 Lake Rd, Unit 3",
        "city": "Springfield",
        "state": "Illinois",
        "zip": "62701-6851",
        "email": "jennifer.smith@example.com",
        "property_value": "$300,001 - $315,000",
        "credit_score": "720-739",
        "additional_cash": "$25,000",
        "cash_out": "Yes",
        "loan_type": "Conventional",
        "loan_purpose": "Cash-Out Refinance",
        "property_type": "Single Family",
        "loan_balance": "$238,500",
        "current_rate": "4.375%",
        "has_second_mortgage": "Y",
        "second_balance": "18000",
        "second_rate": "7.25",
        "found_home": "No",
        "down_payment": "0",
        "property_use": "Primary Residence",
        "ltv": "78",
        "bid_loan_value": "$262,000",
        "va_eligible": "N",
        "consent_url": "https://cert.trustedform.com/0123abcd",
    }
    assert record.phones == ["(312) 555-0175", "312.555.0176"]
    # The product in "Lead Type" is neither a lead kind nor the loan purpose: kept as is.
    assert record.extra == {"Lead Type": "Refinance"}


@pytest.mark.parametrize("grade", ["EXCELLENT", "good", "720-739", "688"])
def test_leadsource_credit_grade_goes_raw_to_credit_score(
    read_records: ReadRecords, grade: str
) -> None:
    row = [grade if col == "Credit Grade" else "" for col in LEADSOURCE_HEADER]
    data = csv_bytes([LEADSOURCE_HEADER, ["1", *row[1:]]])

    [record] = read_records("leadsource", data)

    assert record.fields["credit_score"] == grade


def test_leadsource_export_without_trustedform_column_reads(read_records: ReadRecords) -> None:
    header, row = LEADSOURCE_HEADER[:-1], LEADSOURCE_ROW[:-1]

    [record] = read_records("leadsource", csv_bytes([header, row]))

    assert "consent_url" not in record.fields


@pytest.mark.parametrize(
    ("source", "header"),
    [("experian", TU_HEADER), ("transunion", EXPERIAN_HEADER), ("leadsource", ["a", "b"])],
)
def test_file_without_key_columns_names_what_was_expected_and_found(
    read: Read, source: str, header: list[str]
) -> None:
    data = csv_bytes([header, ["x"] * len(header)])

    with pytest.raises(SourceFormatError) as raised:
        read(source, data)

    message = str(raised.value)
    assert message.startswith(f"{source}: none of the expected columns")
    assert f"Found: {header[0]!r}, {header[1]!r}" in message
    expected = {"experian": "'Surname'", "transunion": "'Perm_ID'", "leadsource": "'Lead ID'"}
    assert expected[source] in message
