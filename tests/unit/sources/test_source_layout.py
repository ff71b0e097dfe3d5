"""The compiled row mapper against a plain reading of the layout rules."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.records import RawRecord
from pipeline.sources import Layout
from pipeline.sources.layout import fold_header

LAYOUT = Layout(
    source="acme",
    columns={
        "first_name": ("First",),
        "zip": ("Zip", "Postal"),
        "address": ("House", "Street", "Unit"),
        "phone": ("Cell", "Home"),
        "alt_phones": ("Work",),
        "lead_kind": ("Kind",),
    },
    constants={"lead_kind": "web"},
)
VOCABULARY = ["First", "ZIP", " zip ", "Postal", "House", "Street", "Unit", "Cell", "home",
              "Work", "Kind", "Notes", "", "Cell"]  # fmt: skip
CELLS = ["", " ", "x", " y ", "555-234-5678", "02134"]


def expected_record(number: int, header: list[str], row: list[str]) -> RawRecord:
    """The layout rules read literally, one column at a time."""
    folded = [fold_header(name) for name in header]

    def occurrences(column: str) -> list[int]:
        return [i for i, name in enumerate(folded) if name == fold_header(column)]

    def first(column: str) -> list[int]:
        return occurrences(column)[:1]

    claimed: set[int] = set()
    phones: list[int] = []
    for field in ("phone", "alt_phones"):
        for column in LAYOUT.columns[field]:
            phones += [i for i in occurrences(column) if i not in phones]
    claimed.update(phones)
    fields: dict[str, str] = {}
    for field in ("first_name", "lead_kind"):
        for i in first(LAYOUT.columns[field][0]):
            claimed.add(i)
            if row[i].strip():
                fields[field] = row[i]
    zips = [i for column in LAYOUT.columns["zip"] for i in first(column)]
    claimed.update(zips)
    for i in zips:
        if row[i].strip():
            fields["zip"] = row[i]
            break
    parts = [i for column in LAYOUT.columns["address"] for i in first(column)]
    claimed.update(parts)
    # One part present: its cell as sent; several: joined with spaces.
    address = row[parts[0]] if len(parts) == 1 else " ".join(row[i] for i in parts).strip()
    if address:
        fields["address"] = address
    fields.update(source="acme", lead_kind="web")

    keys: list[str] = []
    for position, name in enumerate(header, start=1):
        base = name.strip() or f"(column {position})"
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base} ({n})"
        keys.append(key)
    return RawRecord(
        number=number,
        raw=dict(zip(keys, row, strict=True)),
        fields=fields,
        phones=[row[i] for i in phones if row[i].strip()],
        extra={
            keys[i]: row[i]
            for i in range(len(row))
            if i not in claimed and row[i] and not row[i].isspace()
        },
    )


@st.composite
def headers_and_rows(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    header = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=12))
    row = draw(st.lists(st.sampled_from(CELLS), min_size=len(header), max_size=len(header)))
    return header, row


@given(headers_and_rows())
def test_compiled_mapper_follows_the_layout_rules(case: tuple[list[str], list[str]]) -> None:
    header, row = case

    record = LAYOUT.plan(header).record(7, row)

    expected = expected_record(7, header, row)

    # A whitespace-only value may reach ``fields``; the rules read it as blank.
    def non_blank(fields: dict[str, str]) -> dict[str, str]:
        return {name: value for name, value in fields.items() if value.strip()}

    assert non_blank(record.fields) == non_blank(expected.fields)
    assert (record.number, record.raw, record.phones, record.extra) == (
        expected.number,
        expected.raw,
        expected.phones,
        expected.extra,
    )


@given(
    st.lists(st.text(), min_size=1, max_size=6, unique_by=str.strip),
    st.data(),
)
def test_any_header_text_is_a_key_never_code(headers: list[str], data: st.DataObject) -> None:
    row = data.draw(st.lists(st.text(), min_size=len(headers), max_size=len(headers)))
    plan = LAYOUT.plan(headers)

    record = plan.record(1, row)

    assert list(record.raw.values()) == row
    assert record.raw == dict(zip(plan.raw_keys, row, strict=True))


def test_header_that_looks_like_code_is_kept_as_text() -> None:
    header = ["First", "x'] = 1; import os #", '"""', "\\", "}\n{"]
    row = ["Mary", "a", "b", "c", "d"]

    record = LAYOUT.plan(header).record(1, row)

    assert record.extra == {"x'] = 1; import os #": "a", '"""': "b", "\\": "c", "}\n{": "d"}
    assert json.loads(json.dumps(record.raw)) == record.raw
