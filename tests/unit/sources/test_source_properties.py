"""Properties of the adapters over generated files: every cell comes back, in order."""

from __future__ import annotations

import csv
import io
import json
from unittest.mock import patch

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.core.records import RawRecord
from pipeline.sources import Layout, get_source, jsonstream
from pipeline.sources.delimited import DELIMITERS, sniff_delimiter
from pipeline.sources.layout import fold_header

headers = st.lists(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_ ]{0,12}[A-Za-z0-9]", fullmatch=True),
    min_size=2,
    max_size=6,
    unique_by=fold_header,
)
cells = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


def mapping_for(header: list[str]) -> Layout:
    return Layout(source="generic", columns={"first_name": (header[0],), "phone": (header[-1],)})


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(headers)
    row = st.lists(cells, min_size=len(header), max_size=len(header))
    return header, draw(st.lists(row, max_size=8))


@settings(deadline=None)
@given(
    table=tables(),
    delimiter=st.sampled_from(DELIMITERS),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_every_written_row_reads_back_cell_for_cell_in_order(
    table: tuple[list[str], list[list[str]]], delimiter: str, encoding: str
) -> None:
    header, rows = table
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    data = text.getvalue().encode(encoding)

    items = list(get_source("generic", mapping=mapping_for(header)).read(io.BytesIO(data)))

    expected = [row for row in rows if any(row)]
    assert all(isinstance(item, RawRecord) for item in items)
    records = [item for item in items if isinstance(item, RawRecord)]
    assert [record.number for record in records] == list(range(1, len(expected) + 1))
    assert [record.raw for record in records] == [
        dict(zip(header, row, strict=True)) for row in expected
    ]
    for record, row in zip(records, expected, strict=True):
        assert record.fields.get("first_name", "") == row[0]
        assert record.phones == ([row[-1]] if row[-1].strip() else [])


@settings(deadline=None)
@given(
    table=tables(),
    as_array=st.booleans(),
    indent=st.sampled_from([None, 2]),
    ensure_ascii=st.booleans(),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_every_json_object_reads_back_key_for_key_at_any_chunk_size(
    table: tuple[list[str], list[list[str]]],
    as_array: bool,
    indent: int | None,
    ensure_ascii: bool,
    chunk: int,
) -> None:
    header, rows = table
    assume(as_array or rows)  # no JSON lines at all is an empty file, not an empty batch
    objects = [dict(zip(header, row, strict=True)) for row in rows]
    if as_array:
        body = json.dumps(objects, indent=indent, ensure_ascii=ensure_ascii)
    else:
        body = "\n".join(json.dumps(obj, ensure_ascii=ensure_ascii) for obj in objects)

    with patch.object(jsonstream, "CHUNK_CHARS", chunk):
        adapter = get_source("generic", mapping=mapping_for(header))
        items = list(adapter.read(io.BytesIO(body.encode())))

    assert [item.raw for item in items if isinstance(item, RawRecord)] == objects
    assert [item.number for item in items if isinstance(item, RawRecord)] == list(
        range(1, len(objects) + 1)
    )


@given(header=headers, delimiter=st.sampled_from(DELIMITERS))
def test_the_header_delimiter_is_the_one_sniffed(header: list[str], delimiter: str) -> None:
    assert sniff_delimiter(delimiter.join(header) + "\r\nx,y;z|w\t") == delimiter
