"""Encoding detection: decided from a bounded prefix, never crashes, never loses a row."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable

from pipeline.core.records import RawRecord
from pipeline.sources.encoding import PREFIX_BYTES, open_text

ReadRecords = Callable[..., list[RawRecord]]

HEADER = "First_Name|Last_Name|Phone_Number\r\n"


class CountingStream(io.BytesIO):
    """A stream that remembers how many bytes were asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_utf8_bom_is_not_part_of_the_first_header(read_records: ReadRecords) -> None:
    data = codecs.BOM_UTF8 + (HEADER + "Mary|Smith|(555) 234-5678\r\n").encode()

    [record] = read_records("transunion", data)

    assert record.fields["first_name"] == "Mary"
    assert "First_Name" in record.raw


def test_cp1252_accents_and_curly_apostrophe_in_names_decode(read_records: ReadRecords) -> None:
    data = (HEADER + "Renée|O\u2019Brien|5552345678\r\n").encode("cp1252")

    [record] = read_records("transunion", data)

    assert (record.fields["first_name"], record.fields["last_name"]) == ("Renée", "O\u2019Brien")


def test_excel_utf16_unicode_text_reads(read_records: ReadRecords) -> None:
    text = "First_Name\tLast_Name\tPhone_Number\r\nZoë\tNguyen\t5552345678\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")

    [record] = read_records("transunion", data)

    assert record.fields == {
        "source": "transunion",
        "lead_kind": "trigger",
        "first_name": "Zoë",
        "last_name": "Nguyen",
    }
    assert record.phones == ["5552345678"]


def test_cp1252_byte_after_an_ascii_prefix_decodes_as_cp1252_and_keeps_every_row(
    read_records: ReadRecords,
) -> None:
    filler = "".join(f"Ann|Lee|555234{n % 10000:04d}\r\n" for n in range(PREFIX_BYTES // 20))
    data = (HEADER + filler).encode() + "José|García|5552345678\r\nAnn|Lee|5552345679\r\n".encode(
        "cp1252"
    )

    records = read_records("transunion", data)

    assert len(records) == PREFIX_BYTES // 20 + 2
    assert records[-2].fields["first_name"] == "José"
    assert records[-2].fields["last_name"] == "García"
    assert records[-1].fields["first_name"] == "Ann"


def test_byte_cp1252_leaves_undefined_becomes_the_latin1_code_point(
    read_records: ReadRecords,
) -> None:
    data = (HEADER + "Ren").encode() + b"\x81e|Smith|5552345678\r\n"

    [record] = read_records("transunion", data)

    assert record.fields["first_name"] == "Ren\x81e"


def test_utf8_character_split_by_the_prefix_boundary_is_still_utf8() -> None:
    head = b"a" * (PREFIX_BYTES - 1)
    decoded = open_text(io.BytesIO(head + "é,b\n".encode()))

    assert decoded.encoding == "utf-8"
    assert decoded.text.read().endswith("é,b\n")


def test_detection_reads_only_a_bounded_prefix() -> None:
    stream = CountingStream((HEADER + "Ann|Lee|5552345678\r\n" * 500_000).encode())

    open_text(stream)

    assert stream.bytes_read <= PREFIX_BYTES


def test_reading_leaves_the_callers_stream_open() -> None:
    stream = io.BytesIO((HEADER + "Ann|Lee|5552345678\r\n").encode())
    decoded = open_text(stream)

    decoded.text.read()
    decoded.text.close()

    assert not stream.closed
