"""The compiled ``leadgate normalize`` path prints exactly what the reference path prints,
with the C helpers (``pipeline.sources.speedups``) and without them.

Differential tests: every input goes through ``normalize_stream`` twice, compiled (the
per-file line renderer) and with ``compiled=False`` (adapter, ``normalize_record``,
``ResultWriter.write`` for every record), and the output bytes and the ``--summary`` text
must be identical. Inputs: generated vendor files (``bench/generate.py``, dirty by design,
several chunks long), hand-picked dirty rows, and hypothesis-built rows for each vendor and
for generic mappings.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.normalize import DEFAULT_CONFIG, NormalizeConfig
from pipeline.sources import Layout, get_source, speedups
from pipeline.sources.columns import consent_url_column, whole_dollar_column
from pipeline.sources.fragments import Memo, field_producer
from pipeline.sources.linebuilder import _MEMO_TRIAL, compile_line_renderer
from pipeline.sources.lines import CHUNK_ROWS, LineChunk, normalize_stream
from pipeline.sources.output import ResultWriter, Summary

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", autouse=True, params=["C helpers", "pure Python"])
def speedups_path(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs twice: with the C helpers (skipped where the extension was not
    built) and with the pure-Python definitions they stand for."""
    if request.param == "C helpers" and speedups.NATIVE is None:
        pytest.skip("the C extension is not built")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "pure Python":
            patch.setattr(speedups, "NATIVE", None)
        yield


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench/generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normalized(
    source: str,
    data: bytes,
    *,
    compiled: bool,
    mapping: Layout | None = None,
    config: NormalizeConfig = DEFAULT_CONFIG,
) -> tuple[bytes, str]:
    """What ``leadgate normalize --summary`` prints: stdout bytes and the summary."""
    out = io.BytesIO()
    writer = ResultWriter(out)
    counts = Summary()
    adapter = get_source(source, mapping=mapping)
    for part in normalize_stream(adapter, io.BytesIO(data), config=config, compiled=compiled):
        if isinstance(part, LineChunk):
            writer.write_lines(part.lines)
            counts.add_lines(len(part.lines), part.failures)
        else:
            writer.write(part)
            counts.add(part)
    writer.flush()
    return out.getvalue(), counts.render()


def assert_same_output(
    source: str,
    data: bytes,
    *,
    mapping: Layout | None = None,
    config: NormalizeConfig = DEFAULT_CONFIG,
) -> bytes:
    compiled = normalized(source, data, compiled=True, mapping=mapping, config=config)
    reference = normalized(source, data, compiled=False, mapping=mapping, config=config)
    if compiled[0] != reference[0]:
        for number, (mine, theirs) in enumerate(
            zip(compiled[0].splitlines(), reference[0].splitlines(), strict=False), start=1
        ):
            assert mine == theirs, f"line {number} differs"
    assert compiled == reference
    return compiled[0]


@pytest.mark.parametrize("vendor", ["experian", "transunion", "leadsource"])
def test_generated_vendor_file_prints_the_reference_bytes(vendor: str, tmp_path: Path) -> None:
    generate = _generator()
    path = tmp_path / f"{vendor}.csv"
    # Several chunks, with the generator's short rows and blank tail rows among them.
    generate.write(vendor, 5 * CHUNK_ROWS + 17, path, seed=3)

    out = assert_same_output(vendor, path.read_bytes())

    assert out.count(b"\n") == 5 * CHUNK_ROWS + 17
    assert b'"status":"failed"' in out
    assert b'"warnings":[{' in out


EXPERIAN_HEADER = (
    "First Name,Surname,Primary Street ID (House number),Street Name/Apartment,City,State,"
    "Zip Code,Telephone # 1,Telephone # 2,Telephone # 1,Telephone # 3,"
    "FICO_V30A_PSCRN_SCORE_VALUE,"
    "Total balance on open first mortgage trades reported in the last 3 months,"
    "Estimated interest rate on open with balance first mortgage loans with the largest "
    "current balance reported in the last 6 months,Age Range,Estimated Income"
)
DIRTY_EXPERIAN_ROWS = [
    # Every phone shape, duplicates across candidates, a rejected candidate between them.
    'MARY,SMITH,12,MAIN ST,Boston,MA,2134,(212) 555-0142,212.555.0142,N/A,+1 312 555 0100,720,"$250,000",595,25-34,"$1,234"',
    "JOHN,DOE,7,ELM,Austin,texas,78701-1234,2125550142.0,12125550143,555-1234,0000000000,9003,250000.00,5.95%,,",
    'ANN,,12B,OAK AVE APT #4,st. louis,D.C.,00000,1125550142.0,2115550142,2121550142,(212)555-0142 x12,EXCELLENT,"$1,23,456",0,N/A,x',
    '" José ",O\u2019NEIL,0012,"  1st  st., #5 ",  ,ZZ,123456,5.551234567E+09,,,,720-739,1.5E+05,776,35-44,"quote "" and \\\\ backslash"',
    "N/A,SMITH,12,MAIN ST,Boston,MA,2134,2125550142,,,,720,1,6,,",
    "MARY,SMITH,12,MAIN ST,Boston,MA,2134,,,,,720,1,6,,",
    "MARY,SMITH,12,,Boston,MA,2134, ,\t,2125550142,,Good,012345,1.5,,",
    "123,456,,,,,,,,,,,,,,",
    "MARY,SMITH,12,MAIN ST,Boston,MA,2134,2222222222,2125550142,2125550142,3125550100,800+,-5,31,,",
    ",,,,,,,,,,,,,,,",
    "MARY,SMITH,12,MAIN ST",
    "MARY,SMITH,12,MAIN ST,Boston,MA,2134,2125550142,,,,720,1,6,,,,",
    "MARY,SMITH,12,MAIN ST,Boston,MA,2134,2125550142,,,,720,1,6,,,,x",
    # Fullwidth and Arabic-Indic digits, a fullwidth name, control characters.
    "\uff2d\uff41\uff52\uff59,smith iii,\u0661\u0662,Main,B\u00f8ston,ma,\uff12\uff11\uff13\uff14,\u0662\u0661\u0662\u0665\u0665\u0665\u0660\u0661\u0664\u0662,2125550142,,,\u0667\u0662\u0660,\u0661,\u0666,\x01,\x7f",
]


def test_dirty_experian_rows_print_the_reference_bytes() -> None:
    data = "\r\n".join([EXPERIAN_HEADER, *DIRTY_EXPERIAN_ROWS, ""]).encode("utf-8")

    out = assert_same_output("experian", data)

    assert out.count(b"\n") == len(DIRTY_EXPERIAN_ROWS) - 1  # the blank row is no record


def test_cp1252_file_with_an_unreadable_row_prints_the_reference_bytes() -> None:
    rows = [
        EXPERIAN_HEADER,
        *DIRTY_EXPERIAN_ROWS[:3],
        '"' + "x" * 200_000 + '",a',
        *DIRTY_EXPERIAN_ROWS[4:],
    ]
    data = "\r\n".join(rows).encode("cp1252", errors="replace")

    out = assert_same_output("experian", data)

    assert b'"code":"unreadable_row"' in out


def test_rows_around_chunk_boundaries_print_the_reference_bytes() -> None:
    good = DIRTY_EXPERIAN_ROWS[0]
    rows = [good] * (CHUNK_ROWS - 1) + ["", "MARY,SMITH"] + [good] * CHUNK_ROWS + [",,,"] * 3
    data = "\n".join([EXPERIAN_HEADER, *rows]).encode()

    assert_same_output("experian", data)


def test_json_input_takes_the_reference_path() -> None:
    data = b'[{"Lead ID": "1", "First Name": "Ann", "Pri. Phone": "2125550142"}, 3]'

    assert_same_output("leadsource", data)


def test_tenant_grade_scores_are_applied_as_by_the_reference() -> None:
    data = (
        b"Lead ID,First Name,Email,Credit Grade\n1,Ann,a@example.com,good\n2,Bo,b@example.com,A+\n"
    )
    config = NormalizeConfig(credit_grade_scores={"GOOD": 700})

    out = assert_same_output("leadsource", data, config=config)

    assert b'"credit_score":700' in out


GENERIC_MAPPINGS = [
    Layout(source="generic", columns={"first_name": ("name",), "phone": ("tel", "cell")}),
    Layout(
        source="generic",
        columns={
            "first_name": ("FName", "First"),
            "email": ("Mail",),
            "address": ("House", "Street", "Unit"),
            "credit_score": ("Score",),
            "credit_grade": ("Grade",),
            "lead_kind": ("Kind",),
            "alt_phones": ("Other Phone",),
            "zip": ("Zip", "Postal"),
        },
    ),
    Layout(
        source="generic", columns={"first_name": ("A",), "email": ("B",), "credit_grade": ("C",)}
    ),
]
GENERIC_HEADERS = [
    ["name", "tel", "cell", "notes"],
    [
        "FName",
        "First",
        "Mail",
        "House",
        "Street",
        "Unit",
        "Score",
        "Grade",
        "Kind",
        "Other Phone",
        "Zip",
        "Postal",
        "x",
    ],
    ["A", "B", "C", "B"],
]

SAMPLE_CELLS = [
    '', ' ', 'N/A', 'Mary', 'MCDONALD', "o'neil", '123', '2125550142', '(212) 555-0142',
    '2125550142.0', '555-1234', '1-800-FLOWERS', '+1 312 555 0100', 'a@example.com', 'Bad@',
    '12 main st., apt #4', 'P.O. BOX 7', '12', 'tx', 'Texas', '2134', '12345-6789', '00000',
    '720', '720-739', 'EXCELLENT', 'Very Good', '9003', '$1,234', '250K', '$300,001 - $315,000',
    '5.95%', '776', '0.5', 'Y', 'maybe', '1/5/2024', '45296', '2/30/2024', 'trigger', 'web',
    'bogus', 'https://cert.example.com/x', 'ftp://x', 'say "hi"', 'back\\slash', 'tab\there',
    'é', '\u2019', 'line\nbreak',
]  # fmt: skip
CELLS = st.one_of(st.sampled_from(SAMPLE_CELLS), st.text(max_size=12))
VENDOR_HEADERS = {
    "experian": EXPERIAN_HEADER.split(","),
    "transunion": [
        "Perm_ID", "First_Name", "Last_Name", "Address", "City", "State", "Zipcode",
        "Phone_Number", "FICO04 Score", "Current Balance of Most Recent Mortgage",
        "Monthly Payment Amount of Most Recent Mortgage", "Open Date of Most Recent Mortgage",
        "Trigger_Date", "Segment",
    ],
    "leadsource": [
        "Lead ID", "Lead Type", "First Name", "Last Name", "Address", "City", "State", "ZIP",
        "Email", "Pri. Phone", "Sec. Phone", "Est. Home Value", "Credit Grade", "ADD_CASH",
        "Cash Out", "Loan Type", "Loan Purpose", "Prop. Desc", "BAL_ONE", "MTG_ONE_INT",
        "MTG_TWO", "BAL_TWO", "MTG_TWO_INT", "Found Home", "DOWN_PMT", "Property Purpose",
        "LTV", "bid_loan_val", "VA Eligible", "trustedformCertUrl",
    ],
}  # fmt: skip


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> bytes:
    import csv

    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


@st.composite
def files(draw: st.DrawFn, header: list[str]) -> bytes:
    width = len(header)
    rows = draw(
        st.lists(
            st.one_of(
                st.lists(CELLS, min_size=width, max_size=width),
                st.lists(CELLS, min_size=width, max_size=width),
                st.lists(CELLS, max_size=width + 2),
            ),
            max_size=12,
        )
    )
    return _csv(header, rows, draw(st.sampled_from([",", "|", "\t", ";"])))


@pytest.mark.parametrize("vendor", sorted(VENDOR_HEADERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_vendor_rows_print_the_reference_bytes(vendor: str, data: st.DataObject) -> None:
    assert_same_output(vendor, data.draw(files(VENDOR_HEADERS[vendor])))


@pytest.mark.parametrize("index", range(len(GENERIC_MAPPINGS)))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_generic_rows_print_the_reference_bytes(index: int, data: st.DataObject) -> None:
    body = data.draw(files(GENERIC_HEADERS[index]))

    assert_same_output("generic", body, mapping=GENERIC_MAPPINGS[index])


@pytest.mark.parametrize(
    ("source", "header", "mapping"),
    [
        *((vendor, header, None) for vendor, header in VENDOR_HEADERS.items()),
        *(
            ("generic", header, layout)
            for header, layout in zip(GENERIC_HEADERS, GENERIC_MAPPINGS, strict=True)
        ),
    ],
)
def test_these_layouts_take_the_compiled_path(
    source: str, header: list[str], mapping: Layout | None
) -> None:
    plan = get_source(source, mapping=mapping).layout.plan(header)

    assert compile_line_renderer(plan.mapping, config=DEFAULT_CONFIG) is not None


LEADSOURCE_HEADER = ",".join(VENDOR_HEADERS["leadsource"])
URL = "https://cert.trustedform.com/867347214cdd2055930d6eaf14f4733f3e7d1bfb"
# Lead ID, kind, first, last, address, city, state, ZIP, email, two phones, home value,
# credit, ADD_CASH, cash out, loan type, purpose, property, BAL_ONE, rate, MTG_TWO, BAL_TWO,
# second rate, found home, DOWN_PMT, use, LTV, bid_loan_val, VA, consent URL.
DIRTY_LEADSOURCE_ROWS = [
    # Two valid numbers, the same number twice, a rejected number on either side.
    f'1,Refinance,john, SMITH ,12 Oak Ave,boston,MA,2134,J@Example.com,2125550142,(312) 555-0100,"$385,001 - $400,000",720,83743.00,Y,FHA,Purchase,Condo,"$631,783",4.5,No,,,N,56045,Investment,80,394328.00,Y,{URL}',
    '2,Purchase,Ann,smith iii,9 Elm,BOSTON,MA,02134,ann@example.com,2125550142,212-555-0142,396161,GOOD,"$17,168",N,VA,Refinance,Condo,494882.00,4.5,Yes,"$1,234",5.1,Y,"$9",Investment,80,"$516,875",N,',
    "3,Purchase,Bo,mcdonald,9 Elm,Austin,TX,78701-1234,N/A,555-1234,2125550143,$5,A,0,Y,VA,Refinance,Condo,0123,4.5,No,12345678901234567,,Y,1.5,Investment,80,\"$1,23\",N,https://cert.trustedform.com/a b",
    "4,Purchase,Cy,JR,9 Elm,Austin,TX,78701,,2125550144,N/A,$,A,.00,Y,VA,Refinance,Condo,$.00,4.5,No,\"1,234\",,Y,\"$1,234,567.00\",Investment,80,$17168,N,https://other.example.com/x",
    "5,Purchase,Di,n/a ,9 Elm,Austin,TX,78701,di@example.com,,2125550145,250K,A,1234.56,Y,VA,Refinance,Condo,\" 5\",4.5,No,\"$ 5\",,Y,5$,Investment,80,$$5,N,ftp://x/y",
    "6,Purchase,,Doe,9 Elm,Austin,TX,78701,,,,,A,,Y,VA,Refinance,Condo,,4.5,No,,,Y,,Investment,80,,N,",
]  # fmt: skip


def test_dirty_leadsource_rows_print_the_reference_bytes() -> None:
    data = "\n".join([LEADSOURCE_HEADER, *DIRTY_LEADSOURCE_ROWS, ""]).encode()

    out = assert_same_output("leadsource", data)

    assert b'"phone":"2125550142","alt_phones":["3125550100"]' in out
    assert b'"phone":"2125550142","alt_phones":[]' in out


def test_amount_and_url_columns_print_the_reference_bytes_in_every_mix() -> None:
    # Whole chunks of whole dollars and of one URL host take the column-at-once paths; a
    # chunk with one other cell, the per-cell ones.
    clean = DIRTY_LEADSOURCE_ROWS[0]
    rows = [clean] * (2 * CHUNK_ROWS) + DIRTY_LEADSOURCE_ROWS * 50 + [clean] * CHUNK_ROWS
    data = "\n".join([LEADSOURCE_HEADER, *rows]).encode()

    assert_same_output("leadsource", data)


def test_a_column_of_bands_and_whole_dollars_prints_the_reference_bytes(tmp_path: Path) -> None:
    generate = _generator()
    path = tmp_path / "leadsource.csv"
    # Enough chunks for the home value column (mostly bands) to leave the whole-column path.
    generate.write("leadsource", 40 * CHUNK_ROWS, path, seed=5)

    assert_same_output("leadsource", path.read_bytes())


def test_an_extra_column_of_unique_values_prints_the_reference_bytes() -> None:
    # Enough rows for the income column's memo to be dropped (values that do not repeat),
    # with cells the plain path must leave to the producer after that.
    dirty = ["", " ", " 5", "5 ", 'a "b"', "\u00e9", "\\"]
    rows = [
        f"MARY,SMITH,12,MAIN ST,Boston,MA,2134,2125550142,,,,720,1,6,,"
        f"{dirty[number % 7] if number % 50 == 0 else number}"
        for number in range(3 * _MEMO_TRIAL)
    ]
    data = "\n".join([EXPERIAN_HEADER, *rows]).encode()

    assert_same_output("experian", data)


AMOUNT_CELLS = st.one_of(
    st.sampled_from(
        ["", "0", "7", "123456", "123456.00", "$123,456", "$123,456.00", "1,234", "$17168", "$",
         ".00", "$.00", "0123", "$0,123", "1,23", "12345,678", "1,234,5678", "$1,2345,678",
         "123456.5", "1.000", "5.00.00", "$$5", "5$", " 5", "N/A", "$300,001 - $315,000",
         "9" * 15, "9" * 16, "$999,999,999,999,999", "1\n2", "\uff15"]
    ),
    st.from_regex(r"\$?[0-9,]{0,19}(\.[0-9]{0,3})?", fullmatch=True),
    st.text(alphabet="0123456789$,. \n", max_size=10),
)  # fmt: skip
URL_CELLS = st.sampled_from(
    ["", URL, URL + "?a=1", URL[:-3], "https://cert.trustedform.com/", "https://cert.trustedform.com",
     "https://other.example/x", "https://cert.trustedform.com/a b", 'https://cert.trustedform.com/"',
     "https://cert.trustedform.com/\\", "https://cert.trustedform.com/\x7f", "ftp://x/y", " ",
     "https://cert.trustedform.com/\u00e9", "http://x?/y", "https://x#/y", "N/A", URL + "\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(AMOUNT_CELLS, min_size=1, max_size=12))
def test_a_whole_dollar_column_reads_every_cell_as_the_rule_does(cells: list[str]) -> None:
    by_rule = field_producer("loan_balance", order=0)
    assert isinstance(by_rule, Memo)

    found = whole_dollar_column(tuple(cells), by_rule.compute(""))

    assert found is None or found == [by_rule.compute(cell) for cell in cells]


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(URL_CELLS, min_size=1, max_size=8))
def test_a_consent_url_column_reads_every_cell_as_the_rule_does(cells: list[str]) -> None:
    by_rule = field_producer("consent_url", order=0)
    assert not isinstance(by_rule, Memo)

    found = consent_url_column(tuple(cells), by_rule(""))

    assert found is None or found == [by_rule(cell) for cell in cells]


def test_clean_chunks_take_the_column_paths() -> None:
    amounts = ("123456", "", "$1,234", "99.00", "$1,234,567.00")
    urls = (URL, "", URL + "?x=1")

    assert whole_dollar_column(amounts, "null") == [
        "123456.0", "null", "1234.0", "99.0", "1234567.0",
    ]  # fmt: skip
    assert consent_url_column(urls, "null") == [f'"{URL}"', "null", f'"{URL}?x=1"']
