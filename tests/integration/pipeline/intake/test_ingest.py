"""Ingest against a real PostgreSQL: raw bytes first, then bulk load with dedupe, holds,
failed records and outbox rows, all inside the tenant's row-level-security scope."""

from __future__ import annotations

import csv
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from pipeline.core.db import tenant_transaction_sync
from pipeline.core.lead import LEAD_FIELDS
from pipeline.core.settings import DatabaseSettings
from pipeline.intake import repository
from pipeline.intake import service as intake_service
from pipeline.intake.export import export_failed_csv
from pipeline.intake.schemas import IngestOutcome
from pipeline.intake.service import ingest, process_batch, store_batch
from tests.support.tenants import create_tenant

LEADSOURCE_HEADER = "Lead ID,First Name,Last Name,Address,City,State,ZIP,Email,Pri. Phone,Credit Grade,Est. Home Value\n"


def leadsource_file(*rows: str) -> io.BytesIO:
    return io.BytesIO((LEADSOURCE_HEADER + "".join(r + "\n" for r in rows)).encode())


def ingest_leadsource(conn: psycopg.Connection[Any], tenant_id: UUID, *rows: str) -> IngestOutcome:
    """``leadgate ingest`` of a LeadSource file of ``rows`` for the tenant."""
    return ingest(
        conn, tenant_id=tenant_id, source="leadsource", stream=leadsource_file(*rows), channel="cli"
    )


def _rows(
    conn: psycopg.Connection[Any], tenant_id: UUID, query: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    with tenant_transaction_sync(conn, tenant_id):
        return conn.execute(query.encode(), params or []).fetchall()


def test_a_file_becomes_leads_failures_duplicates_and_outbox_rows(
    app_conn: Any, tenant: UUID
) -> None:
    file = leadsource_file(
        'LS-1,mary-jane,o\'neil,12 north main street,boston,massachusetts,2134,MJ@Example.com,(617) 555-0142,GOOD,"$300,001 - $315,000"',
        "LS-2,Bob,Stone,1 Elm St,Austin,TX,73301,,,FAIR,",
        "LS-3,Ann,Lee,5 Oak Ave,Austin,TX,73301,ann@example.com,617-555-0142,720-739,",
        ",,Nobody,,,,,,,,",
    )

    outcome = ingest(
        app_conn,
        tenant_id=tenant,
        source="leadsource",
        stream=file,
        channel="cli",
        filename="ls.csv",
    )

    batch = outcome.batch
    assert (
        batch.status,
        batch.total_records,
        batch.ok_count,
        batch.failed_count,
        batch.duplicate_count,
        batch.held_count,
    ) == (
        "done",
        4,
        1,
        2,
        1,
        0,
    )
    leads = _rows(
        app_conn,
        tenant,
        "SELECT record_number, status, first_name, last_name, state, zip, phone, credit_score, credit_grade, property_value, duplicate_of FROM leads ORDER BY record_number",
    )
    assert leads[0][:10] == (
        1,
        "ok",
        "Mary-Jane",
        "O'Neil",
        "MA",
        "02134",
        "6175550142",
        680,
        "GOOD",
        307500.5,
    )
    assert leads[1][1] == "duplicate"  # same phone as record 1
    first_id = _rows(app_conn, tenant, "SELECT id FROM leads WHERE record_number = 1")[0][0]
    assert leads[1][10] == first_id
    failures = _rows(
        app_conn, tenant, "SELECT record_number, errors FROM failed_records ORDER BY record_number"
    )
    assert [f[0] for f in failures] == [2, 4]
    assert {e["code"] for e in failures[0][1]} == {"contact_required"}
    assert {"contact_required", "first_name_required"} <= {e["code"] for e in failures[1][1]}
    deliveries = _rows(app_conn, tenant, "SELECT lead_id, status FROM deliveries")
    assert deliveries == [(first_id, "pending")]
    assert outcome.delivery_ids == [
        row[0] for row in _rows(app_conn, tenant, "SELECT id FROM deliveries")
    ]


def test_the_raw_row_and_unmapped_columns_are_kept(app_conn: Any, tenant: UUID) -> None:
    file = io.BytesIO(
        b"Lead ID,First Name,Last Name,Email,Pri. Phone,Favorite Color\n"
        b"LS-9,Ann,Lee,ann@example.com,,teal\n"
    )

    ingest(app_conn, tenant_id=tenant, source="leadsource", stream=file, channel="cli")

    raw, columns, extra = _rows(
        app_conn,
        tenant,
        "SELECT l.raw::json, b.raw_columns, l.extra::json FROM leads l JOIN ingest_batches b ON b.id = l.batch_id",
    )[0]
    # The cells, named once by the batch's columns.
    assert raw == ["LS-9", "Ann", "Lee", "ann@example.com", "", "teal"]
    assert columns == [
        "Lead ID",
        "First Name",
        "Last Name",
        "Email",
        "Pri. Phone",
        "Favorite Color",
    ]
    assert extra == {"Favorite Color": "teal"}


def test_a_json_stream_s_leads_name_the_columns_seen_so_far(app_conn: Any, tenant: UUID) -> None:
    file = io.BytesIO(
        b'{"Lead ID": "LS-1", "First Name": "Ann", "Email": "ann@example.com"}\n'
        b'{"Lead ID": "LS-2", "First Name": "Bo", "Pri. Phone": "617-555-0142"}\n'
    )

    ingest(app_conn, tenant_id=tenant, source="leadsource", stream=file, channel="cli")

    rows = _rows(
        app_conn,
        tenant,
        "SELECT l.raw::json, b.raw_columns FROM leads l JOIN ingest_batches b ON b.id = l.batch_id "
        "ORDER BY l.record_number",
    )
    columns = ["Lead ID", "First Name", "Email", "Pri. Phone"]
    assert rows == [
        (["LS-1", "Ann", "ann@example.com"], columns),
        (["LS-2", "Bo", "", "617-555-0142"], columns),
    ]


def test_reingesting_the_same_file_changes_nothing(app_conn: Any, tenant: UUID) -> None:
    content = leadsource_file("LS-1,Ann,Lee,,,,,ann@example.com,,,").getvalue()

    first = ingest(
        app_conn, tenant_id=tenant, source="leadsource", stream=io.BytesIO(content), channel="cli"
    )
    second = ingest(
        app_conn, tenant_id=tenant, source="leadsource", stream=io.BytesIO(content), channel="cli"
    )

    assert not first.already_ingested
    assert second.already_ingested
    assert second.batch.id == first.batch.id
    assert _rows(app_conn, tenant, "SELECT count(*) FROM leads") == [(1,)]
    assert _rows(app_conn, tenant, "SELECT count(*) FROM ingest_batches") == [(1,)]


def test_the_same_bytes_stored_twice_at_once_make_one_batch(
    database: DatabaseSettings, tenant: UUID
) -> None:
    content = leadsource_file("LS-1,Ann,Lee,,,,,ann@example.com,,,").getvalue()
    first_stored = threading.Event()

    with (
        psycopg.connect(database.app_conninfo()) as first,
        psycopg.connect(database.app_conninfo()) as second,
    ):

        class SlowStream(io.BytesIO):
            """Holds the first store's transaction open until the second has begun."""

            def read(self, size: int | None = -1) -> bytes:
                block = super().read(size)
                if not block:
                    first_stored.set()
                    time.sleep(0.3)
                return block

        with ThreadPoolExecutor(2) as pool:
            one = pool.submit(
                store_batch,
                first,
                tenant_id=tenant,
                source="leadsource",
                stream=SlowStream(content),
                channel="cli",
            )
            first_stored.wait(5)
            two = pool.submit(
                store_batch,
                second,
                tenant_id=tenant,
                source="leadsource",
                stream=io.BytesIO(content),
                channel="cli",
            )
            results = [one.result(), two.result()]

    assert results[0][0] == results[1][0]
    assert sorted(created for _, created in results) == [False, True]
    with psycopg.connect(database.app_conninfo()) as check:
        batches = _rows(check, tenant, "SELECT count(*), min(byte_size) FROM ingest_batches")
    assert batches == [(1, len(content))]


def test_a_lead_seen_in_an_earlier_batch_is_a_duplicate_by_id_phone_or_email(
    app_conn: Any, tenant: UUID
) -> None:
    ingest_leadsource(
        app_conn,
        tenant,
        "LS-1,Ann,Lee,,,,,ann@example.com,617-555-0101,,",
        "LS-2,Bo,Ray,,,,,bo@example.com,617-555-0102,,",
    )
    later = ingest_leadsource(
        app_conn,
        tenant,
        "LS-1,Ann,Lee,,,,,other@example.com,617-555-0199,,",  # same vendor id
        "LS-7,Bo,Ray,,,,,new@example.com,6175550102,,",  # same phone
        "LS-8,Ann,Lee,,,,,ANN@example.com,,,",  # same email, other case
        "LS-9,Cy,Dee,,,,,cy@example.com,617-555-0103,,",  # new
    )

    assert (later.batch.ok_count, later.batch.duplicate_count) == (1, 3)
    originals = dict(
        _rows(app_conn, tenant, "SELECT source_record_id, id FROM leads WHERE status = 'ok'")
    )
    dupes = _rows(
        app_conn,
        tenant,
        "SELECT record_number, duplicate_of FROM leads WHERE batch_id = %s ORDER BY record_number",
        [later.batch.id],
    )
    assert dupes[0] == (1, originals["LS-1"])
    assert dupes[1] == (2, originals["LS-2"])
    assert dupes[2] == (3, originals["LS-1"])


def _originals(conn: Any, tenant_id: UUID, batch_id: UUID) -> dict[str, str | None]:
    """Each lead of the batch by vendor id -> the vendor id of the lead it duplicates."""
    rows = _rows(
        conn,
        tenant_id,
        "SELECT l.source_record_id, o.source_record_id FROM leads l "
        "LEFT JOIN leads o ON o.id = l.duplicate_of WHERE l.batch_id = %s",
        [batch_id],
    )
    return dict(rows)


def test_a_duplicate_of_a_duplicate_in_the_same_chunk_links_to_the_original(
    app_conn: Any, tenant: UUID
) -> None:
    outcome = ingest_leadsource(
        app_conn,
        tenant,
        "LS-1,Ann,Lee,,,,,ann@example.com,617-555-0101,,",
        "LS-2,Ann,Lee,,,,,ann@example.com,617-555-0102,,",  # LS-1's email
        "LS-3,Ann,Lee,,,,,,617-555-0102,,",  # LS-2's phone: LS-2 is LS-1's duplicate
        "LS-4,Bo,Ray,,,,,bo@example.com,,,",
        "LS-5,Bo,Ray,,,,,,617-555-0104,,",  # new
    )

    assert (outcome.batch.ok_count, outcome.batch.duplicate_count) == (3, 2)
    assert _originals(app_conn, tenant, outcome.batch.id) == {
        "LS-1": None,
        "LS-2": "LS-1",
        "LS-3": "LS-1",
        "LS-4": None,
        "LS-5": None,
    }


def test_a_lead_whose_chunk_root_duplicates_an_earlier_batch_links_to_that_lead(
    app_conn: Any, tenant: UUID
) -> None:
    ingest_leadsource(app_conn, tenant, "LS-1,Ann,Lee,,,,,,617-555-0101,,")
    later = ingest_leadsource(
        app_conn,
        tenant,
        "LS-2,Ann,Lee,,,,,ann@example.com,617-555-0101,,",  # LS-1's phone
        "LS-3,Ann,Lee,,,,,ann@example.com,,,",  # LS-2's email only
    )

    assert (later.batch.ok_count, later.batch.duplicate_count) == (0, 2)
    assert _originals(app_conn, tenant, later.batch.id) == {"LS-2": "LS-1", "LS-3": "LS-1"}


def test_earlier_load_chunks_of_a_batch_count_as_existing_leads(
    app_conn: Any, tenant: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_service, "LOAD_CHUNK_RECORDS", 2)
    outcome = ingest_leadsource(
        app_conn,
        tenant,
        "LS-1,Ann,Lee,,,,,ann@example.com,617-555-0101,,",
        "LS-2,Bo,Ray,,,,,,617-555-0102,,",
        "LS-3,Cy,Dee,,,,,ann@example.com,,,",  # chunk 2: LS-1's email
        "LS-4,Cy,Dee,,,,,,617-555-0102,,",  # LS-2's phone
        "LS-1,Ann,Lee,,,,,,617-555-0199,,",  # chunk 3: LS-1's vendor id
    )

    assert (outcome.batch.ok_count, outcome.batch.duplicate_count) == (2, 3)
    rows = _rows(
        app_conn,
        tenant,
        "SELECT l.record_number, o.record_number FROM leads l "
        "LEFT JOIN leads o ON o.id = l.duplicate_of ORDER BY l.record_number",
    )
    assert rows == [(1, None), (2, None), (3, 1), (4, 2), (5, 1)]


def test_phone_and_email_matches_older_than_the_window_are_new_leads(
    app_conn: Any, database: DatabaseSettings
) -> None:
    tenant = create_tenant(database, "short-window", dedupe_window=timedelta(days=1))
    ingest_leadsource(app_conn, tenant, "LS-1,Ann,Lee,,,,,ann@example.com,,,")
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as owner:
        owner.execute("UPDATE leads SET received_at = now() - interval '2 days'")

    later = ingest_leadsource(app_conn, tenant, "LS-2,Ann,Lee,,,,,ann@example.com,,,")

    assert (later.batch.ok_count, later.batch.duplicate_count) == (1, 0)


def test_trigger_leads_after_the_rule_date_are_held_without_a_permissible_purpose(
    app_conn: Any, database: DatabaseSettings
) -> None:
    header = "First_Name,Last_Name,Address,City,State,Zipcode,Phone_Number,FICO04 Score,Perm_ID,Trigger_Date\n"
    content = (
        header + "Ann,Lee,1 Elm St,Austin,TX,73301,512-555-0101,700,TU-1,2026-05-01\n"
        "Bo,Ray,2 Elm St,Austin,TX,73301,512-555-0102,700,TU-2,2026-01-15\n"
    ).encode()
    held_tenant = create_tenant(database, "no-purpose")
    allowed_tenant = create_tenant(
        database, "has-purpose", permissible_purpose="firm offer of credit, documented"
    )

    held = ingest(
        app_conn,
        tenant_id=held_tenant,
        source="transunion",
        channel="cli",
        stream=io.BytesIO(content),
    )
    allowed = ingest(
        app_conn,
        tenant_id=allowed_tenant,
        source="transunion",
        channel="cli",
        stream=io.BytesIO(content),
    )

    assert (held.batch.ok_count, held.batch.held_count) == (1, 1)
    reason = _rows(
        app_conn, held_tenant, "SELECT hold_reason FROM leads WHERE status = 'held_compliance'"
    )[0][0]
    assert "2026-05-01" in reason
    assert "permissible purpose" in reason
    assert _rows(app_conn, held_tenant, "SELECT count(*) FROM deliveries") == [(1,)]
    assert (allowed.batch.ok_count, allowed.batch.held_count) == (2, 0)


def test_a_stored_batch_is_processed_from_the_database(app_conn: Any, tenant: UUID) -> None:
    content = leadsource_file(
        *(f"LS-{i},Ann,Lee,,,,,ann{i}@example.com,,," for i in range(3000))
    ).getvalue()

    batch_id, created = store_batch(
        app_conn, tenant_id=tenant, source="leadsource", stream=io.BytesIO(content), channel="api"
    )
    stored = _rows(app_conn, tenant, "SELECT status FROM ingest_batches")
    outcome = process_batch(app_conn, tenant_id=tenant, batch_id=batch_id)
    again = process_batch(app_conn, tenant_id=tenant, batch_id=batch_id)

    assert created
    assert stored == [("received",)]
    assert (outcome.batch.status, outcome.batch.ok_count) == ("done", 3000)
    assert again.already_ingested


def test_a_file_without_the_sources_columns_is_rejected_with_the_reason_and_kept(
    app_conn: Any, tenant: UUID
) -> None:
    outcome = ingest(
        app_conn,
        tenant_id=tenant,
        source="experian",
        channel="cli",
        stream=io.BytesIO(b"foo,bar\n1,2\n"),
    )

    assert outcome.batch.status == "rejected"
    assert "First Name" in (outcome.batch.error or "")
    assert _rows(app_conn, tenant, "SELECT count(*) FROM ingest_payload_chunks") == [(1,)]


def test_another_tenant_sees_none_of_the_batch(
    app_conn: Any, tenant: UUID, database: DatabaseSettings
) -> None:
    outcome = ingest_leadsource(app_conn, tenant, "LS-1,Ann,Lee,,,,,ann@example.com,,,")
    other = create_tenant(database, "other-co")

    with tenant_transaction_sync(app_conn, other):
        assert repository.get_batch(app_conn, tenant_id=other, batch_id=outcome.batch.id) is None
    assert _rows(app_conn, other, "SELECT count(*) FROM leads") == [(0,)]
    with pytest.raises(Exception, match="not found"):
        process_batch(app_conn, tenant_id=other, batch_id=outcome.batch.id)


def test_failed_export_neutralizes_formulas_and_lists_errors(app_conn: Any, tenant: UUID) -> None:
    ingest_leadsource(
        app_conn,
        tenant,
        '=HYPERLINK("http://example.com"),@Eve,+1,,,,,,,,',
        "LS-2,Bob,Stone,,,,,,,,",
    )
    out = io.StringIO()

    count = export_failed_csv(app_conn, out, tenant_id=tenant)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert count == 2
    assert rows[0][:5] == ["batch_id", "record", "source", "error_codes", "errors"]
    assert "Lead ID" in rows[0]
    assert "First Name" in rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Lead ID"].startswith("'=")
    assert first["First Name"] == "'@Eve"
    assert first["Last Name"] == "'+1"
    assert "contact_required" in first["error_codes"]


def test_lead_fields_type_matches_the_canonical_lead(app_conn: Any) -> None:
    columns = [
        r[0]
        for r in app_conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'lead_fields'::regclass AND attnum > 0 ORDER BY attnum"
        ).fetchall()
    ]

    assert columns == [f for f in LEAD_FIELDS if f != "source"]


def test_staging_columns_follow_the_canonical_lead(app_conn: Any, tenant: UUID) -> None:
    with tenant_transaction_sync(app_conn, tenant):
        repository.create_staging_tables(app_conn)
        columns = [
            r[0]
            for r in app_conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'lead_staging'::regclass AND attnum > 0 ORDER BY attnum"
            ).fetchall()
        ]

    # id and the in-chunk root's id and keys, then record_number, hold_reason, warnings and
    # raw, then the lead.
    assert columns[:9] == [
        "id",
        "root_id",
        "root_source_record_id",
        "root_phone",
        "root_email",
        "record_number",
        "hold_reason",
        "warnings",
        "raw",
    ]
    assert columns[9:] == [f for f in LEAD_FIELDS if f != "source"]


def test_a_crash_mid_file_loads_nothing_and_the_batch_can_be_processed_again(
    app_conn: Any, tenant: UUID
) -> None:
    content = leadsource_file(
        *(f"LS-{i},Ann,Lee,,,,,ann{i}@example.com,,," for i in range(25_000))
    ).getvalue()
    batch_id, _ = store_batch(
        app_conn, tenant_id=tenant, source="leadsource", stream=io.BytesIO(content), channel="api"
    )

    class DiskFailure(io.BytesIO):
        """Fails halfway through the file, after the loader has started on it."""

        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > len(content) // 2:
                raise OSError("disk gone")
            return super().read(size if size is None or size < 0 else min(size, 64 * 1024))

    with pytest.raises(OSError, match="disk gone"):
        process_batch(app_conn, tenant_id=tenant, batch_id=batch_id, stream=DiskFailure(content))
    left = _rows(
        app_conn,
        tenant,
        "SELECT (SELECT status FROM ingest_batches), (SELECT count(*) FROM leads), (SELECT count(*) FROM deliveries)",
    )
    outcome = process_batch(app_conn, tenant_id=tenant, batch_id=batch_id)

    assert left == [("received", 0, 0)]
    assert (outcome.batch.status, outcome.batch.ok_count) == ("done", 25_000)
    # The first load chunk's leads are queued with the load, the rest by the sweeper.
    assert _rows(
        app_conn,
        tenant,
        "SELECT (SELECT count(*) FROM deliveries), (SELECT outbox_through FROM ingest_batches)",
    ) == [(10_000, 10_000)]


def test_deleting_a_batch_or_tenant_takes_its_leads_outbox_rows_and_failed_records(
    app_conn: Any, database: DatabaseSettings
) -> None:
    first, second = create_tenant(database, "first-co"), create_tenant(database, "second-co")
    for tenant_id in (first, second):
        for rows in (
            ("LS-1,Ann,Lee,,,,,ann@example.com,,,", "LS-3,,Nofirst,,,,,cy@example.com,,,"),
            ("LS-2,Bo,Ray,,,,,bo@example.com,,,", "LS-4,,Nofirst,,,,,di@example.com,,,"),
        ):
            ingest_leadsource(app_conn, tenant_id, *rows)
    counts = (
        "SELECT (SELECT count(*) FROM ingest_batches), (SELECT count(*) FROM leads),"
        " (SELECT count(*) FROM deliveries), (SELECT count(*) FROM failed_records)"
    )

    with psycopg.connect(database.owner_conninfo(), autocommit=True) as owner:
        owner.execute(
            "DELETE FROM ingest_batches WHERE tenant_id = %s AND id = (SELECT batch_id FROM leads WHERE source_record_id = 'LS-1' AND tenant_id = %s)",
            [first, first],
        )
        after_batch = _rows(app_conn, first, counts)
        owner.execute("DELETE FROM tenants WHERE id = %s", [first])

    assert after_batch == [(1, 1, 1, 1)]
    assert _rows(app_conn, first, counts) == [(0, 0, 0, 0)]
    with psycopg.connect(database.owner_conninfo()) as owner:
        everywhere = owner.execute(counts).fetchone()
    assert everywhere == (2, 2, 2, 2)
