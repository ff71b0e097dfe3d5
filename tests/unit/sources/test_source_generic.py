"""The generic source: a mapping file (TOML or JSON) instead of code, and the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.core.records import RawRecord
from pipeline.sources import (
    SOURCE_NAMES,
    MappingError,
    UnknownSourceError,
    decode_mapping,
    get_source,
    load_mapping,
)

ReadRecords = Callable[..., list[RawRecord]]

TOML_MAPPING = b"""
source_record_id = "Ref"
first_name = "FName"
last_name = "LName"
phone = ["Mobile", "Home Phone"]
alt_phones = "Work Phone"
address = ["House No", "Street"]
zip = ["Zip", "Postal Code"]
lead_kind = "Channel"
"""

VENDOR_FILE = (
    b"Ref;FName;LName;Home Phone;Mobile;Work Phone;House No;Street;Postal Code;Zip;Channel;Rep\n"
    b"A-1;Mary;Smith;555-234-0001;555-234-0002;555-234-0003;12;Oak Ave;02134;;web;Kim\n"
)


def test_toml_mapping_reads_a_new_vendor_without_code(
    tmp_path: Path, read_records: ReadRecords
) -> None:
    path = tmp_path / "acme.toml"
    path.write_bytes(TOML_MAPPING)

    [record] = read_records("generic", VENDOR_FILE, mapping=load_mapping(path))

    assert record.fields == {
        "source": "generic",
        "source_record_id": "A-1",
        "first_name": "Mary",
        "last_name": "Smith",
        "address": "12 Oak Ave",
        # "Zip" is blank, so the next listed header supplies the value.
        "zip": "02134",
        "lead_kind": "web",
    }
    # phone columns in mapping order (not file order), then alt_phones.
    assert record.phones == ["555-234-0002", "555-234-0001", "555-234-0003"]
    assert record.extra == {"Rep": "Kim"}


def test_json_mapping_means_the_same_as_toml(read_records: ReadRecords) -> None:
    json_mapping = b"""{"source_record_id": "Ref", "first_name": "FName", "last_name": "LName",
        "phone": ["Mobile", "Home Phone"], "alt_phones": "Work Phone",
        "address": ["House No", "Street"], "zip": ["Zip", "Postal Code"], "lead_kind": "Channel"}"""

    from_json = read_records(
        "generic", VENDOR_FILE, mapping=decode_mapping(json_mapping, suffix=".json")
    )
    from_toml = read_records(
        "generic", VENDOR_FILE, mapping=decode_mapping(TOML_MAPPING, suffix=".toml")
    )

    assert from_json == from_toml


def test_generic_source_reads_json_lines_with_the_mapping(read_records: ReadRecords) -> None:
    mapping = decode_mapping(b'first_name = "name"\nemail = "mail"', suffix=".toml")
    data = b'{"name": "Mary", "mail": "mary@example.com"}\n{"name": "John", "mail": ""}\n'

    mary, john = read_records("generic", data, mapping=mapping)

    assert mary.fields == {"source": "generic", "first_name": "Mary", "email": "mary@example.com"}
    assert john.fields == {"source": "generic", "first_name": "John"}


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        (b'first_nam = "FName"', ".toml", "not canonical fields: first_nam"),
        (b'extra = "Notes"', ".toml", "not canonical fields: extra"),
        (b'first_name = ["FName", 3]', ".toml", "a header or a list of headers"),
        (b"first_name = []", ".toml", "names no header"),
        (b'first_name = " "', ".toml", "names no header"),
        (b"", ".toml", "maps no field"),
        (b'first_name = "FName', ".toml", "unreadable mapping"),
        (b'{"first_name": }', ".json", "unreadable mapping"),
        (b"[1, 2]", ".json", "a header or a list of headers"),
        (b"first_name: FName", ".yaml", "is .toml or .json"),
    ],
)
def test_bad_mapping_is_rejected_with_a_reason(content: bytes, suffix: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        decode_mapping(content, suffix=suffix)


def test_generic_source_without_a_mapping_is_refused() -> None:
    with pytest.raises(MappingError, match="needs a mapping"):
        get_source("generic")


def test_vendor_source_refuses_a_mapping() -> None:
    mapping = decode_mapping(b'first_name = "FName"', suffix=".toml")

    with pytest.raises(MappingError, match="built-in layout"):
        get_source("experian", mapping=mapping)


def test_unknown_source_error_lists_the_known_sources() -> None:
    with pytest.raises(UnknownSourceError) as raised:
        get_source("equifax")

    assert str(raised.value) == (
        "unknown source 'equifax'; known sources: experian, transunion, leadsource, generic"
    )
    assert SOURCE_NAMES == ("experian", "transunion", "leadsource", "generic")


def test_source_names_match_regardless_of_case_and_spaces() -> None:
    assert get_source(" TransUnion ").name == "transunion"
