"""The compiled staging path writes exactly the COPY data the reference path writes.

Differential tests: every input goes through ``staged_chunks`` twice, compiled (the
per-file COPY renderer) and with ``compiled=False`` (adapter, ``normalize_item``, psycopg's
dumpers for every record), and the chunks (lead and failure COPY data, counts) must be
identical. Inputs: generated vendor files (``bench/generate.py``, dirty by design, several
chunks long), hand-picked dirty rows, and hypothesis-built files for each vendor and for
generic mappings, under several chunk sizes and tenant configurations. The cursor only
lends psycopg's adapters; nothing is written to the database.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.settings import DatabaseSettings
from pipeline.intake.copyformat import SIGNATURE, TRAILER, text_array_field
from pipeline.intake.copyrender import compile_copy_renderer
from pipeline.intake.links import batch_lead_ids, new_lead_id_base
from pipeline.intake.staging import StagedChunk, staged_chunks
from pipeline.normalize import DEFAULT_CONFIG, NormalizeConfig
from pipeline.sources import Layout, get_source
from pipeline.sources.lines import CHUNK_ROWS
from tests.unit.sources.test_source_compiled_lines import (
    DIRTY_EXPERIAN_ROWS,
    DIRTY_LEADSOURCE_ROWS,
    EXPERIAN_HEADER,
    GENERIC_HEADERS,
    GENERIC_MAPPINGS,
    LEADSOURCE_HEADER,
    VENDOR_HEADERS,
    _generator,
    files,
)

Cursor = psycopg.Cursor[Any]

# One base for both paths: ids follow from it and the record numbers.
BASE = new_lead_id_base()


@pytest.fixture(scope="module")
def cursor(postgres_server: DatabaseSettings) -> Iterator[Cursor]:
    with psycopg.connect(postgres_server.owner_conninfo(dbname="postgres")) as conn:
        yield conn.cursor()


def staged(
    cursor: Cursor,
    source: str,
    data: bytes,
    *,
    compiled: bool,
    size: int,
    mapping: Layout | None = None,
    config: NormalizeConfig = DEFAULT_CONFIG,
) -> list[StagedChunk]:
    adapter = get_source(source, mapping=mapping)
    chunks = staged_chunks(
        cursor,
        adapter,
        io.BytesIO(data),
        config=config,
        size=size,
        compiled=compiled,
        lead_ids=batch_lead_ids(BASE),
    )
    return list(chunks)


def assert_same_chunks(
    cursor: Cursor,
    source: str,
    data: bytes,
    *,
    size: int = 10_000,
    mapping: Layout | None = None,
    config: NormalizeConfig = DEFAULT_CONFIG,
) -> list[StagedChunk]:
    options: dict[str, Any] = {"size": size, "mapping": mapping, "config": config}
    compiled = staged(cursor, source, data, compiled=True, **options)
    reference = staged(cursor, source, data, compiled=False, **options)
    assert [len(chunk.leads) for chunk in compiled] == [len(chunk.leads) for chunk in reference]
    assert compiled == reference
    return compiled


@pytest.mark.parametrize("vendor", ["experian", "transunion", "leadsource"])
def test_generated_vendor_file_stages_the_reference_bytes(
    cursor: Cursor, vendor: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{vendor}.csv"
    # Several renderer chunks, with the generator's short rows and blank tail rows among
    # them, in staging chunks that do not line up with the renderer's.
    records = 5 * CHUNK_ROWS + 17
    _generator().write(vendor, records, path, seed=3)

    chunks = assert_same_chunks(cursor, vendor, path.read_bytes(), size=300)

    sizes = [chunk.lead_count + chunk.failure_count for chunk in chunks]
    assert sizes == [300] * (records // 300) + [records % 300]
    assert sum(chunk.failure_count for chunk in chunks) > 0


def test_dirty_experian_rows_stage_the_reference_bytes(cursor: Cursor) -> None:
    data = "\r\n".join([EXPERIAN_HEADER, *DIRTY_EXPERIAN_ROWS, ""]).encode("utf-8")

    for size in (1, 2, 5, 10_000):
        chunks = assert_same_chunks(cursor, "experian", data, size=size)
        # The blank row is no record.
        assert sum(c.lead_count + c.failure_count for c in chunks) == len(DIRTY_EXPERIAN_ROWS) - 1


def test_cp1252_file_with_an_unreadable_row_stages_the_reference_bytes(cursor: Cursor) -> None:
    rows = [
        EXPERIAN_HEADER,
        *DIRTY_EXPERIAN_ROWS[:3],
        '"' + "x" * 200_000 + '",a',
        *DIRTY_EXPERIAN_ROWS[4:],
    ]
    data = "\r\n".join(rows).encode("cp1252", errors="replace")

    for size in (1, 3, 4, 10_000):
        chunks = assert_same_chunks(cursor, "experian", data, size=size)
        assert any(b"unreadable_row" in chunk.failures for chunk in chunks)


def test_dirty_leadsource_rows_stage_the_reference_bytes(cursor: Cursor) -> None:
    clean = DIRTY_LEADSOURCE_ROWS[0]
    # Whole chunks of whole dollars and of one URL host take the column-at-once paths; a
    # chunk with one other cell, the per-cell ones.
    rows = [clean] * (2 * CHUNK_ROWS) + DIRTY_LEADSOURCE_ROWS * 50 + [clean] * CHUNK_ROWS
    data = "\n".join([LEADSOURCE_HEADER, *rows]).encode()

    assert_same_chunks(cursor, "leadsource", data, size=1000)


def test_rows_around_chunk_boundaries_stage_the_reference_bytes(cursor: Cursor) -> None:
    good = DIRTY_EXPERIAN_ROWS[0]
    rows = [good] * (CHUNK_ROWS - 1) + ["", "MARY,SMITH"] + [good] * CHUNK_ROWS + [",,,"] * 3
    data = "\n".join([EXPERIAN_HEADER, *rows]).encode()

    for size in (CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 1, 10_000):
        assert_same_chunks(cursor, "experian", data, size=size)


TRANSUNION_HEADER = "|".join(VENDOR_HEADERS["transunion"])


@pytest.mark.parametrize("purpose", [None, " ", "firm offer of credit"])
def test_trigger_leads_are_held_as_by_the_reference(cursor: Cursor, purpose: str | None) -> None:
    rows = [
        f"TU{number}|Ann|Lee|1 Main St|Boston|MA|02134|2125550142|720|1|2|20200101|{date}|x"
        for number, date in enumerate(
            ["20260303", "20260304", "2026-05-01", "", "bogus", "1/5/2027", "20260303"]
        )
    ]
    data = "\n".join([TRANSUNION_HEADER, *rows]).encode()
    config = NormalizeConfig(permissible_purpose=purpose, trigger_consent_from=dt.date(2026, 3, 4))

    (chunk,) = assert_same_chunks(cursor, "transunion", data, config=config)

    assert (b"tenant has no permissible purpose" in chunk.leads) == (
        purpose != "firm offer of credit"
    )


def test_a_lead_kind_column_holds_only_its_trigger_rows(cursor: Cursor) -> None:
    mapping = Layout(
        source="generic",
        columns={
            "first_name": ("name",),
            "email": ("mail",),
            "lead_kind": ("kind",),
            "trigger_date": ("date",),
        },
    )
    data = (
        b"name,mail,kind,date\nAnn,a@example.com,trigger,2027-01-01\n"
        b"Bo,b@example.com,web,2027-01-01\nCy,c@example.com,TRIGGER,\nDi,d@example.com,x,\n"
    )

    (chunk,) = assert_same_chunks(cursor, "generic", data, mapping=mapping)

    assert chunk.leads.count(b"tenant has no permissible purpose") == 2


def test_tenant_grade_scores_are_applied_as_by_the_reference(cursor: Cursor) -> None:
    data = (
        b"Lead ID,First Name,Email,Credit Grade\n1,Ann,a@example.com,good\n2,Bo,b@example.com,A+\n"
    )

    assert_same_chunks(
        cursor, "leadsource", data, config=NormalizeConfig(credit_grade_scores={"GOOD": 700})
    )


def test_odd_headers_stage_the_reference_bytes(cursor: Cursor) -> None:
    # Keys msgspec must escape, a blank header, a repeated one, non-ASCII.
    mapping = Layout(source="generic", columns={"first_name": ("name",), "phone": ("tel",)})
    header = 'name,tel,"say ""hi""",back\\slash,,caf\u00e9,tab\there,tel,\u2028'
    row = "Ann,2125550142,a,b,c,d,e,3125550100,f"
    data = "\n".join([header, row, "Bo,,, ,\t,,,,", "Cy,2125550142,,,,,,,"]).encode()

    assert_same_chunks(cursor, "generic", data, mapping=mapping)


def test_json_input_takes_the_reference_path(cursor: Cursor) -> None:
    data = b'[{"Lead ID": "1", "First Name": "Ann", "Pri. Phone": "2125550142"}, 3]'

    assert_same_chunks(cursor, "leadsource", data)


def test_empty_chunks_are_never_staged(cursor: Cursor) -> None:
    data = (EXPERIAN_HEADER + "\n,,,\n\n").encode()

    assert staged(cursor, "experian", data, compiled=True, size=10) == []


def test_text_arrays_are_written_as_psycopg_writes_them(cursor: Cursor) -> None:
    reference = staged(
        cursor,
        "generic",
        b"name,tel,cell,fax\nAnn,2125550142,3125550100,4125550100\nBo,2125550142,,\n",
        compiled=False,
        size=10,
        mapping=Layout(
            source="generic", columns={"first_name": ("name",), "phone": ("tel", "cell", "fax")}
        ),
    )[0].leads

    assert reference.startswith(SIGNATURE)
    assert reference.endswith(TRAILER)
    assert text_array_field(["3125550100", "4125550100"]) in reference
    assert text_array_field([]) in reference


@pytest.mark.parametrize("vendor", sorted(VENDOR_HEADERS))
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_vendor_rows_stage_the_reference_bytes(
    cursor: Cursor, vendor: str, data: st.DataObject
) -> None:
    body = data.draw(files(VENDOR_HEADERS[vendor]))

    assert_same_chunks(cursor, vendor, body, size=data.draw(st.integers(1, 13)))


@pytest.mark.parametrize("index", range(len(GENERIC_MAPPINGS)))
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_generic_rows_stage_the_reference_bytes(
    cursor: Cursor, index: int, data: st.DataObject
) -> None:
    body = data.draw(files(GENERIC_HEADERS[index]))

    assert_same_chunks(
        cursor, "generic", body, mapping=GENERIC_MAPPINGS[index], size=data.draw(st.integers(1, 13))
    )


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

    assert compile_copy_renderer(plan.mapping, config=DEFAULT_CONFIG) is not None
