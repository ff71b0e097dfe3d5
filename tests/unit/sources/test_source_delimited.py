"""Delimited files: sniffing, quoting, and rows that do not fit the header."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from pipeline.core.records import FailedRecord, RawRecord
from pipeline.sources import SourceFormatError, SourceItem
from pipeline.sources.delimited import MAX_COLUMNS, sniff_delimiter

Read = Callable[..., list[SourceItem]]
ReadRecords = Callable[..., list[RawRecord]]

TU_HEADER = ["Perm_ID", "First_Name", "Last_Name", "Phone_Number", "Zipcode"]


def tu_file(*rows: list[str], delimiter: str = ",") -> bytes:
    lines = [TU_HEADER, *rows]
    return "".join(delimiter.join(line) + "\r\n" for line in lines).encode()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_sniffed_from_the_header(
    read_records: ReadRecords, delimiter: str
) -> None:
    data = tu_file(["TU1", "Mary", "Smith", "555-234-5678", "02134"], delimiter=delimiter)

    [record] = read_records("transunion", data)

    assert record.fields["first_name"] == "Mary"
    assert record.fields["zip"] == "02134"
    assert record.phones == ["555-234-5678"]


def test_sniffing_ignores_delimiters_inside_quoted_headers() -> None:
    assert sniff_delimiter('"Name; Last";"City, State";Zip\r\n1,2,3,4,5') == ";"


def test_header_without_any_delimiter_reads_as_one_comma_column() -> None:
    assert sniff_delimiter("Email\nmary@example.com\n") == ","


def test_quoted_newline_stays_in_its_record_and_records_are_numbered_by_record(
    read_records: ReadRecords,
) -> None:
    data = (
        b"Perm_ID,First_Name,Address,Phone_Number\r\n"
        b'TU1,Mary,"12 Main St\r\nApt 4",5552345678\r\n'
        b"TU2,John,9 Elm St,5552345679\r\n"
    )

    first, second = read_records("transunion", data)

    assert first.fields["address"] == "12 Main St\r\nApt 4"
    assert (first.number, second.number) == (1, 2)
    assert second.fields["source_record_id"] == "TU2"


def test_row_missing_a_cell_fails_alone_as_wrong_field_count(read: Read) -> None:
    data = tu_file(
        ["TU1", "Mary", "Smith", "5552345678", "02134"],
        ["TU2", "John", "5552345679", "02134"],
        ["TU3", "Ann", "Lee", "5552345670", "60601"],
    )

    first, failed, third = read("transunion", data)

    assert isinstance(first, RawRecord)
    assert isinstance(third, RawRecord)
    assert third.number == 3
    assert isinstance(failed, FailedRecord)
    assert failed.record == 2
    assert [issue.code for issue in failed.errors] == ["wrong_field_count"]
    assert failed.raw == dict(zip(TU_HEADER, ["TU2", "John", "5552345679", "02134"], strict=False))


def test_row_with_a_surplus_value_fails_and_keeps_the_surplus_in_raw(read: Read) -> None:
    data = tu_file(["TU1", "Mary", "Smith", "5552345678", "02134", "surplus"])

    [failed] = read("transunion", data)

    assert isinstance(failed, FailedRecord)
    assert failed.errors[0].code == "wrong_field_count"
    assert failed.raw["(column 6)"] == "surplus"
    assert failed.raw["Zipcode"] == "02134"


def test_trailing_empty_cells_beyond_the_header_are_ignored(read_records: ReadRecords) -> None:
    data = tu_file(["TU1", "Mary", "Smith", "5552345678", "02134", "", ""])

    [record] = read_records("transunion", data)

    assert record.raw["Zipcode"] == "02134"
    assert len(record.raw) == len(TU_HEADER)


def test_blank_lines_and_all_empty_rows_are_not_records(read_records: ReadRecords) -> None:
    data = (
        b"\r\n"
        b"Perm_ID,First_Name,Phone_Number\r\n"
        b"\r\n"
        b"TU1,Mary,5552345678\r\n"
        b",,\r\n"
        b"TU2,John,5552345679\r\n"
        b",,\r\n,,\r\n"
    )

    records = read_records("transunion", data)

    assert [(r.number, r.fields["source_record_id"]) for r in records] == [(1, "TU1"), (2, "TU2")]


def test_field_over_the_csv_limit_fails_alone_and_reading_resumes(read: Read) -> None:
    huge = "x" * (csv.field_size_limit() + 10)
    data = f'Perm_ID,First_Name,Phone_Number\r\nTU1,"{huge}\r\nTU2,John,5552345679\r\n'.encode()

    failed, record = read("transunion", data)

    assert isinstance(failed, FailedRecord)
    assert failed.errors[0].code == "unreadable_row"
    assert isinstance(record, RawRecord)
    assert (record.number, record.fields["first_name"]) == (2, "John")


def test_old_mac_carriage_return_line_endings_read(read_records: ReadRecords) -> None:
    data = b"Perm_ID,First_Name,Phone_Number\rTU1,Mary,5552345678\rTU2,John,5552345679\r"

    records = read_records("transunion", data)

    assert [r.fields["first_name"] for r in records] == ["Mary", "John"]


def test_header_matching_ignores_case_and_surrounding_and_repeated_spaces(
    read_records: ReadRecords,
) -> None:
    data = b"  perm_id ,FIRST_NAME,current   balance of  most recent MORTGAGE\r\nTU1,Mary,$1\r\n"

    [record] = read_records("transunion", data)

    assert record.fields["source_record_id"] == "TU1"
    assert record.fields["first_name"] == "Mary"
    assert record.fields["loan_balance"] == "$1"


def test_excel_artefacts_pass_through_unchanged(read_records: ReadRecords) -> None:
    data = tu_file(["TU1", "Mary", "Smith", "5552345678.0", "2134"])

    [record] = read_records("transunion", data)

    assert record.phones == ["5552345678.0"]
    assert record.fields["zip"] == "2134"


def test_empty_cells_are_left_out_of_fields_and_phones(read_records: ReadRecords) -> None:
    data = tu_file(["TU1", "Mary", "", " ", "02134"])

    [record] = read_records("transunion", data)

    assert "last_name" not in record.fields
    assert record.phones == []
    assert record.raw["Last_Name"] == ""


def test_header_only_file_has_no_records(read: Read) -> None:
    assert read("transunion", tu_file()) == []


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"   "])
def test_empty_file_is_a_source_format_error(read: Read, data: bytes) -> None:
    with pytest.raises(SourceFormatError, match="empty"):
        read("transunion", data)


def test_header_with_thousands_of_columns_is_refused(read: Read) -> None:
    header = ",".join(["Perm_ID", *(f"c{n}" for n in range(MAX_COLUMNS))])

    with pytest.raises(SourceFormatError, match=f"more than {MAX_COLUMNS}"):
        read("transunion", f"{header}\r\nTU1\r\n".encode())
