"""The C helpers of the compiled path (``pipeline/sources/_speedups.c``) give exactly what
the Python they stand for gives: the producers of their fields, ``PhoneSlot``'s choice of
phones, the line assembly. Skipped where the extension was not built (no C compiler); the
differential tests of the compiled path run with and without it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import repeat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sources import fragments, speedups
from pipeline.sources.fragments import NATIVE_COLUMNS, Memo, PhoneSlot, Warned, field_producer

native = pytest.importorskip("pipeline.sources._speedups")

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)

# Phones: every punctuation the rule drops, area codes and exchanges valid or not (N11,
# leading 0 or 1), a leading 1, spreadsheet ".0", letters, other digits than ASCII.
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)
PHONES = st.one_of(
    st.builds(
        lambda area, exchange, line, shape: shape.format(a=area, e=exchange, n=line),
        st.sampled_from(["212", "312", "911", "011", "123", "555", "2", "9999"]),
        st.sampled_from(["555", "211", "055", "5", "5555"]),
        DIGITS,
        st.sampled_from(
            [
                "{a}{e}{n}",
                "({a}) {e}-{n}",
                "+1 {a} {e} {n}",
                "1{a}{e}{n}",
                "{a}.{e}.{n}",
                "{a}{e}{n}.0",
                "{a}-{e}-{n} x12",
                " {a}{e}{n}",
                "1-{a}-{e}-{n}",
                "{a}{e}\u0661{n}",
            ]
        ),
    ),
    st.sampled_from(["", " ", "\t", "N/A", "1-800-FLOWERS", "0000000000", "2222222222", "1234"]),
    st.text(alphabet="0123456789()+-. x", max_size=16),
    TEXT,
)

# Emails: mostly well-formed, with atoms and labels at their length limits, every allowed
# special, uppercase, internationalized top-level parts, spaces around or inside.
ATOM = st.text(alphabet="abcXYZ09!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=4)
LOCAL = st.one_of(
    st.lists(ATOM, min_size=1, max_size=3).map(".".join),
    st.lists(ATOM, max_size=3).map(lambda atoms: ".".join(atoms) + "."),
    st.sampled_from(['a"b', "a(b", "a b", "a" * 64, "a" * 65, ".a", "", "a@b", "\u00e9"]),
)
GOOD_LABEL = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,3}[a-zA-Z0-9])?", fullmatch=True)
LABEL = st.one_of(
    GOOD_LABEL,
    st.sampled_from(["a" * 63, "a" * 64, "a" + "-" * 61 + "b", "-a", "a-", "", "a_b"]),
)
TLD = st.sampled_from(
    [
        *("com", "c", "COM", "c0m", "x" * 63, "x" * 64),
        *("xn--p1ai", "xn--", "xn--" + "a" * 59, "xn--" + "a" * 60, "xn-a", "XN--ab"),
    ]
)
AROUND = st.sampled_from(["{}"] * 8 + [" {}", "{} ", "\t{}", "{}\x1c", "{}\xa0", "a b{}"])
EMAILS = st.one_of(
    st.builds(
        lambda local, labels, tld, around: around.format(f"{local}@{'.'.join(labels)}.{tld}"),
        LOCAL,
        st.lists(LABEL, min_size=1, max_size=3),
        TLD,
        AROUND,
    ),
    st.builds("{}@{}".format, LOCAL, TLD),
    st.just("a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 61),
    st.just("a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 62),
    st.sampled_from(["", " ", "N/A", "a@example.com", "A.B@Example.COM", "a..b@x.com", "@x.com"]),
    TEXT,
)
AMOUNTS = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "7",
            "123456",
            "123456.00",
            "$123,456",
            "$123,456.00",
            "1,234",
            "$",
            ".00",
            "$.00",
            "0123",
            "$0,123",
            "1,23",
            "12345,678",
            "1,234,5678",
            "$1,2345,678",
            "123456.5",
            "1.000",
            "5.00.00",
            "$$5",
            "5$",
            " 5",
            "N/A",
            "$300,001 - $315,000",
            "9" * 15,
            "9" * 16,
            "$999,999,999,999,999",
            ",123",
            "1,",
            "-5",
            "\uff15",
            "1234,567",
            "$1234,567.00",
            "1,2345",
            "$12,34",
            "1,234,567,890,123,456",
        ]
    ),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["", "$", "$$", "-"]),
        st.lists(st.text(alphabet="0123456789", max_size=5), min_size=1, max_size=6).map(",".join),
        st.sampled_from(["", ".00", ".0", ".5", ".000", " "]),
    ),
    st.from_regex(r"\$?[0-9,]{0,19}(\.[0-9]{0,3})?", fullmatch=True),
    st.text(alphabet="0123456789$,. -", max_size=10),
)
URL = "https://cert.trustedform.com/0123456789abcdef"
URLS = st.one_of(
    st.sampled_from(
        [
            "",
            URL,
            URL + "?a=1",
            "https://cert.trustedform.com/",
            "https://cert.trustedform.com",
            "https://other.example/x",
            URL + " b",
            URL + '"',
            URL + "\\",
            URL + "\x7f",
            "ftp://x/y",
            " ",
            URL + "\u00e9",
            "http://x?/y",
            "https://x#/y",
            "N/A",
            URL + "\n",
            "https://a/",
            "https:///",
            "12345678/",
            "javascript:alert(1)//x",
        ]
    ),
    st.builds("https://{}/{}".format, st.text(alphabet="ab.-?#:", max_size=6), TEXT),
)
STREETS = st.one_of(
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["12", "0012", "7", "", "12B", "\u0661\u0662", "-1"]),
        st.sampled_from([" ", "  ", "", "\t"]),
        st.sampled_from(
            [
                "MAIN ST",
                "Main St.",
                "oak ave, unit 4",
                "Elm Street Apt #4",
                "",
                " ",
                "St",
                'say "hi"',
                "r\u00fce de la paix",
                "1st st",
                "PO BOX 7",
            ]
        ),
    ),
    TEXT,
)
IDENTIFIERS = st.one_of(
    st.sampled_from(["", " ", "TU1000", " TU1000 ", 'a"b', "a\\b", "x\ty", "\u00e9t\u00e9"]), TEXT
)
# Dates: every layout the C helper reads, days around month ends and leap days, years
# at the rule's limits, and the other layouts the rule reads.
DATES = st.one_of(
    st.builds(
        lambda year, month, day, layout: layout.format(y=year, m=month, d=day),
        st.sampled_from(["1899", "1900", "1904", "2000", "2023", "2024", "2099", "2100", "0000"]),
        st.sampled_from(["0", "00", "1", "01", "02", "2", "04", "12", "13", "9", "1a"]),
        st.sampled_from(["0", "00", "1", "01", "28", "29", "30", "31", "32", "9", "\u0661"]),
        st.sampled_from(
            [
                *("{y}{m}{d}", "{y}-{m}-{d}", "{m}/{d}/{y}", "{y}/{m}/{d}", "{m}-{d}-{y}"),
                *(" {y}{m}{d}", "{y}{m}{d}.0", "{m}/{d}/{y} 10:30", "{m}//{d}/{y}", "{d}{m}{y}"),
            ]
        ),
    ),
    st.builds(
        lambda day, layout: day.strftime(layout),
        st.dates(dt.date(1890, 1, 1), dt.date(2110, 12, 31)),
        st.sampled_from(["%Y%m%d", "%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%m/%d/%y"]),
    ),
    st.builds(
        "{}/{}/{}".format,
        st.integers(0, 13).map(str),
        st.integers(0, 32).map(str),
        st.sampled_from(["1899", "1900", "2000", "2024", "2099", "2100", "24"]),
    ),
    st.sampled_from(
        [
            *("19000229", "2/29/1900", "20000229", "2/29/2000", "21000101", "20991231"),
            *("1/1/1900", "12/31/1899", "02/30/2024", "13/01/2024", "0/1/2024", "100/1/2024"),
            *("1/100/2024", "", " ", "N/A", "45296", "5-Jan-2024", "January 5, 2024"),
        ]
    ),
    st.text(alphabet="0123456789/-", max_size=11),
)
CELLS: dict[str, st.SearchStrategy[str]] = {
    "mortgage_open_date": DATES,
    "trigger_date": DATES,
    "email": EMAILS,
    "consent_url": URLS,
    "address": STREETS,
    "source_record_id": IDENTIFIERS,
    **dict.fromkeys(fragments.AMOUNT_FIELDS, AMOUNTS),
}


@pytest.mark.parametrize("field", sorted(NATIVE_COLUMNS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_native_column_gives_its_producers_fragments(field: str, data: st.DataObject) -> None:
    cells = data.draw(st.lists(CELLS[field], max_size=12))
    producer = field_producer(field, order=3)
    call: Callable[[str], str] = producer.__getitem__ if isinstance(producer, Memo) else producer

    found = NATIVE_COLUMNS[field](native, cells, call(""), call)

    assert found == [call(cell) for cell in cells]
    assert [type(fragment) for fragment in found] == [type(call(cell)) for cell in cells]


@settings(max_examples=1500, deadline=None)
@given(
    rows=st.lists(st.lists(PHONES, min_size=1, max_size=4), min_size=1, max_size=8),
    width=st.integers(1, 4),
)
def test_phone_fragments_choose_as_the_python_phone_slot(rows: list[list[str]], width: int) -> None:
    columns = [[(row * width)[index] for row in rows] for index in range(width)]
    slot = PhoneSlot(order=7)

    found = native.phone_fragments(
        columns, fragments._area_and_exchanges, fragments._candidate, fragments._choose, 7
    )

    saved, speedups.NATIVE = speedups.NATIVE, None
    try:
        expected = slot.fragments(columns)
    finally:
        speedups.NATIVE = saved
    assert found == expected
    assert [getattr(fragment, "warnings", ()) for fragment in found] == [
        getattr(fragment, "warnings", ()) for fragment in expected
    ]


@settings(max_examples=500, deadline=None)
@given(
    rows=st.lists(st.lists(TEXT, min_size=3, max_size=3), min_size=1, max_size=6),
    width=st.integers(1, 3),
)
def test_transpose_gives_the_columns(rows: list[list[str]], width: int) -> None:
    rows = [row[:width] for row in rows]

    assert native.transpose(rows, width) == [list(column) for column in zip(*rows, strict=True)]


def test_transpose_refuses_a_row_of_another_width() -> None:
    with pytest.raises(ValueError, match="width"):
        native.transpose([["a", "b"], ["c"]], 2)


def _warned(text: str) -> str:
    fragment = Warned(text)
    fragment.warnings = ((0, "{}", "code"),)
    return fragment


PIECES = st.one_of(TEXT, st.builds(_warned, TEXT))


@settings(max_examples=500, deadline=None)
@given(data=st.data(), count=st.integers(1, 5))
def test_join_lines_joins_pieces_row_by_row(data: st.DataObject, count: int) -> None:
    pieces: list[str | list[str]] = data.draw(
        st.lists(st.one_of(TEXT, st.lists(PIECES, min_size=count, max_size=count)), max_size=8)
    )
    pieces.append(data.draw(st.lists(PIECES, min_size=count, max_size=count)))
    columns = [piece if isinstance(piece, list) else repeat(piece) for piece in pieces]

    found = native.join_lines(pieces)

    assert found == list(map("".join, zip(*columns, strict=False)))
    assert {type(line) for line in found} == {str}


@settings(max_examples=300, deadline=None)
@given(columns=st.lists(st.lists(PIECES, min_size=1, max_size=4), max_size=5))
def test_warned_names_the_columns_with_warnings(columns: list[list[str]]) -> None:
    saved, speedups.NATIVE = speedups.NATIVE, None
    try:
        expected = speedups.warned(columns)
    finally:
        speedups.NATIVE = saved

    assert native.warned(columns) == expected
    assert expected == [
        index for index, column in enumerate(columns) if any(type(x) is Warned for x in column)
    ]


@pytest.mark.parametrize("field", ["last_name", "zip", "state", "current_rate", "cash_out"])
@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(
        st.one_of(
            TEXT,
            st.sampled_from(["", " ", "N/A", "Smith", "SMITH", "02134-1234", "TX", "720", "Y"]),
        ),
        max_size=12,
    )
)
def test_memo_fragments_look_cells_up_as_the_memo_does(field: str, cells: list[str]) -> None:
    memo = field_producer(field, order=1)
    reference = field_producer(field, order=1)
    assert isinstance(memo, Memo)
    assert isinstance(reference, Memo)

    found = native.memo_fragments(cells, memo)

    expected = list(map(reference.__getitem__, cells))
    assert found == expected
    assert [getattr(f, "warnings", ()) for f in found] == [
        getattr(f, "warnings", ()) for f in expected
    ]
    assert dict(memo) == dict(reference)


HOUSES = st.one_of(st.sampled_from(["12", "0012", "7", "", " ", "12B", "\u0661", "-1"]), TEXT)


@settings(max_examples=500, deadline=None)
@given(pairs=st.lists(st.tuples(HOUSES, STREETS), max_size=12))
def test_address_pairs_give_the_producers_fragments(pairs: list[tuple[str, str]]) -> None:
    producer = fragments.address_producer()
    houses = [house for house, _ in pairs]
    streets = [street for _, street in pairs]

    found = fragments.native_addresses(native, houses, streets, producer)

    expected = list(map(producer, houses, streets))
    assert found == expected
    assert [getattr(f, "warnings", ()) for f in found] == [
        getattr(f, "warnings", ()) for f in expected
    ]


EXTRA_CELLS = st.one_of(
    TEXT,
    st.sampled_from(["", " ", "\t", " 5", "5 ", "176868.00", "$212,725", 'a"b', "a\\b", "\x7f"]),
)


@settings(max_examples=500, deadline=None)
@given(
    key=st.one_of(st.sampled_from(["Estimated Income", 'a"b', "\u00e9"]), TEXT),
    cells=st.lists(EXTRA_CELLS, max_size=12),
)
def test_prefixed_strings_give_the_extra_producers_fragments(key: str, cells: list[str]) -> None:
    producer = fragments.extra_producer(key).compute

    found = native.prefixed_strings(cells, fragments.extra_prefix(key), producer)

    assert found == list(map(producer, cells))
    assert {type(fragment) for fragment in found} <= {str}


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(st.one_of(TEXT, st.text(alphabet='{}":,ab', max_size=40)), max_size=8))
def test_encode_lines_writes_each_line_and_a_newline_as_utf8(lines: list[str]) -> None:
    saved, speedups.NATIVE = speedups.NATIVE, None
    try:
        expected = speedups.encode_lines(lines)
    finally:
        speedups.NATIVE = saved

    assert native.encode_lines(lines) == expected
    assert expected == "".join(line + "\n" for line in lines).encode()


def test_encode_lines_refuses_a_lone_surrogate_as_str_encode_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        native.encode_lines(["ok", "\ud800"])
