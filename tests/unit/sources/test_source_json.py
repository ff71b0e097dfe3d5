"""JSON bodies and files: arrays, JSON lines, single objects, and values that do not decode."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pipeline.core.records import FailedRecord, RawRecord
from pipeline.sources import SourceFormatError, SourceItem, jsonrecords, jsonstream

Read = Callable[..., list[SourceItem]]
ReadRecords = Callable[..., list[RawRecord]]

MARY = {"Lead ID": "L1", "First Name": "Mary", "Pri. Phone": "(312) 555-0175"}
JOHN = {"Lead ID": "L2", "First Name": "John", "Email": "john@example.com"}


def ids(items: list[SourceItem]) -> list[tuple[int, str]]:
    return [
        (item.number, item.fields["source_record_id"])
        for item in items
        if isinstance(item, RawRecord)
    ]


def test_json_array_reads_each_element_as_a_record(read_records: ReadRecords) -> None:
    records = read_records("leadsource", json.dumps([MARY, JOHN]).encode())

    assert ids(list(records)) == [(1, "L1"), (2, "L2")]
    assert records[0].phones == ["(312) 555-0175"]
    assert records[1].fields["email"] == "john@example.com"
    assert records[0].raw == MARY


def test_json_lines_read_one_record_per_line(read_records: ReadRecords) -> None:
    data = f"{json.dumps(MARY)}\n\n{json.dumps(JOHN)}\n".encode()

    assert ids(list(read_records("leadsource", data))) == [(1, "L1"), (2, "L2")]


def test_single_pretty_printed_object_is_one_record(read_records: ReadRecords) -> None:
    data = json.dumps(MARY, indent=2).encode()

    [record] = read_records("leadsource", data)

    assert record.fields["first_name"] == "Mary"


def test_pretty_printed_array_reads_every_record(read_records: ReadRecords) -> None:
    data = json.dumps([MARY, JOHN], indent=4).encode()

    assert ids(list(read_records("leadsource", data))) == [(1, "L1"), (2, "L2")]


def test_empty_array_has_no_records(read: Read) -> None:
    assert read("leadsource", b"  [ ]  ") == []


def test_invalid_value_fails_alone_between_good_ones(read: Read) -> None:
    data = f'{json.dumps(MARY)}\n{{"Lead ID": "L9", "First Name": }}\n{json.dumps(JOHN)}\n'

    first, failed, last = read("leadsource", data.encode())

    assert isinstance(failed, FailedRecord)
    assert (failed.record, failed.errors[0].code) == (2, "invalid_json")
    assert failed.raw == {"(json)": '{"Lead ID": "L9", "First Name": }'}
    assert ids([first, last]) == [(1, "L1"), (3, "L2")]


def test_array_element_that_is_not_an_object_fails_alone(read: Read) -> None:
    data = json.dumps([MARY, ["Mary", "555-0175"], "John", JOHN]).encode()

    items = read("leadsource", data)

    codes = [item.errors[0].code for item in items if isinstance(item, FailedRecord)]
    assert codes == ["not_an_object", "not_an_object"]
    assert ids(items) == [(1, "L1"), (4, "L2")]


def test_json_values_become_the_text_a_csv_cell_would_hold(read_records: ReadRecords) -> None:
    lead = {
        "Lead ID": 884213,
        "First Name": "Mary",
        "LTV": 78.5,
        "VA Eligible": False,
        "Email": None,
        "Tags": ["web", "refi"],
    }

    [record] = read_records("leadsource", json.dumps(lead).encode())

    assert record.fields["source_record_id"] == "884213"
    assert record.fields["ltv"] == "78.5"
    assert record.fields["va_eligible"] == "false"
    assert "email" not in record.fields
    assert record.extra == {"Tags": '["web","refi"]'}


def test_objects_with_different_keys_each_map_by_their_own_keys(
    read_records: ReadRecords,
) -> None:
    data = json.dumps([MARY, {"Email": "ann@example.com", "Lead ID": "L3"}]).encode()

    first, second = read_records("leadsource", data)

    assert first.fields["first_name"] == "Mary"
    assert second.fields == {
        "source": "leadsource",
        "email": "ann@example.com",
        "source_record_id": "L3",
    }
    assert second.phones == []
    # raw spans every key the stream has shown, so failed-record exports stay rectangular.
    assert second.raw == {
        "Lead ID": "L3",
        "First Name": "",
        "Pri. Phone": "",
        "Email": "ann@example.com",
    }


def test_objects_that_keep_inventing_keys_fail_past_the_key_limit(
    read: Read, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonrecords, "MAX_KEYS", 4)
    lines = [MARY, {"Lead ID": "L2", "Email": "john@example.com"}, {"Lead ID": "L3", "X": "1"}]
    data = "\n".join(json.dumps(line) for line in lines).encode()

    first, second, third = read("leadsource", data)

    assert ids([first, second]) == [(1, "L1"), (2, "L2")]
    assert isinstance(third, FailedRecord)
    assert third.errors[0].code == "too_many_keys"


def test_json_of_another_vendor_fails_before_any_record(read: Read) -> None:
    data = json.dumps([{"First_Name": "Mary", "Phone_Number": "5552345678"}]).encode()

    with pytest.raises(SourceFormatError, match=r"Expected any of: 'Lead ID'.*'First_Name'"):
        read("leadsource", data)


def test_strings_with_brackets_quotes_and_escapes_split_at_any_chunk_boundary(
    read_records: ReadRecords, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK_CHARS", 3)
    tricky = {"Lead ID": 'a"}],\\', "First Name": "Ma\nry {[", "Notes": '\\\\"'}
    plain = {"Lead ID": "L1", "First Name": "Mary", "Notes": ""}

    records = read_records("leadsource", json.dumps([tricky, plain, tricky]).encode())

    assert [record.raw for record in records] == [tricky, plain, tricky]


def test_value_over_the_size_limit_fails_alone_and_reading_continues(
    read: Read, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK_CHARS", 16)
    monkeypatch.setattr(jsonstream, "MAX_VALUE_CHARS", 64)
    big = {"Lead ID": "L7", "First Name": "x" * 500}
    data = f"{json.dumps(MARY)}\n{json.dumps(big)}\n{json.dumps(JOHN)}\n".encode()

    items = read("leadsource", data)

    failed = [item for item in items if isinstance(item, FailedRecord)]
    assert failed[0].errors[0].code == "record_too_large"
    assert failed[0].raw["(json)"].startswith('{"Lead ID": "L7"')
    assert ids(items)[0] == (1, "L1")
    assert ids(items)[-1][1] == "L2"


def test_unterminated_array_still_yields_the_complete_records(read: Read) -> None:
    data = b'[{"Lead ID": "L1", "First Name": "Mary"}, {"Lead ID": "L2", "First'

    first, broken = read("leadsource", data)

    assert ids([first]) == [(1, "L1")]
    assert isinstance(broken, FailedRecord)
    assert broken.errors[0].code == "invalid_json"
