"""A lead's stored raw row: its cells, named by the batch's columns (pipeline.core.rawrows)."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.rawrows import RawColumns, raw_row


def test_a_row_of_the_header_s_columns_is_stored_as_its_cells() -> None:
    columns = RawColumns(["Lead ID", "First Name"])

    stored = columns.encode({"Lead ID": "LS-1", "First Name": "Ann"})

    assert msgspec.json.decode(stored) == ["LS-1", "Ann"]
    assert raw_row(stored, columns.names) == {"Lead ID": "LS-1", "First Name": "Ann"}


def test_a_row_with_new_keys_after_the_known_ones_extends_the_columns() -> None:
    columns = RawColumns()
    first = columns.encode({"a": "1"})
    second = columns.encode({"a": "2", "b": "3"})

    assert columns.names == ("a", "b")
    assert raw_row(first, columns.names) == {"a": "1"}
    assert raw_row(second, columns.names) == {"a": "2", "b": "3"}


def test_a_row_whose_keys_do_not_start_the_columns_is_stored_as_its_object() -> None:
    columns = RawColumns(["a", "b"])

    stored = columns.encode({"b": "1", "a": "2"})

    assert msgspec.json.decode(stored) == {"b": "1", "a": "2"}
    assert columns.names == ("a", "b")
    assert raw_row(stored, columns.names) == {"b": "1", "a": "2"}


def test_cells_past_the_named_columns_are_named_by_position() -> None:
    assert raw_row(b'["x", "y"]', ["a"]) == {"a": "x", "(column 2)": "y"}
    assert raw_row(b'["x"]', None) == {"(column 1)": "x"}


@given(
    st.lists(
        st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=6),
        max_size=8,
    )
)
def test_every_row_reads_back_as_it_was(rows: list[dict[str, str]]) -> None:
    columns = RawColumns()
    stored = [columns.encode(row) for row in rows]

    assert [raw_row(text, columns.names) for text in stored] == rows
    assert [list(raw_row(text, columns.names)) for text in stored] == [list(r) for r in rows]
