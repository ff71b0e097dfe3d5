"""A big file's accepted leads after its first load chunk get their outbox rows from the
delivery sweeper (migration 0007), paced by their tenant's pending backlog; until then
every reader shows them as pending."""

from __future__ import annotations

import io
from typing import Any
from uuid import UUID

import psycopg
import pytest

from gateway.ingest.repository import queries as ingest_queries
from pipeline.core.db import tenant_transaction_sync
from pipeline.core.settings import DatabaseSettings
from pipeline.delivery.repository import queries as delivery_queries
from pipeline.intake import service
from pipeline.intake.service import ingest
from pipeline.leads.repository import queries as lead_queries
from tests.support.tenants import create_tenant

HEADER = "Lead ID,First Name,Last Name,Email,Pri. Phone\n"
# 3 records per load chunk: records 1-3 are loaded with their outbox rows, 4-10 without.
ROWS = [
    "LS-1,Ann,Lee,ann@example.com,",
    "LS-2,Bo,Ray,bo@example.com,",
    "LS-3,,Nofirst,nofirst@example.com,",  # failed: first_name_required
    "LS-4,Cy,Dee,cy@example.com,",
    "LS-5,Di,Eve,ann@example.com,",  # duplicate of record 1
    "LS-6,Ed,Fox,ed@example.com,",
    "LS-7,Flo,Gee,flo@example.com,",
    "LS-8,Gus,Hay,gus@example.com,",
    "LS-9,Hal,Ivy,hal@example.com,",
    "LS-10,Ida,Jay,ida@example.com,",
]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "LOAD_CHUNK_RECORDS", 3)


def ingest_rows(conn: Any, tenant_id: UUID, rows: list[str]) -> UUID:
    """``leadgate ingest`` of a LeadSource file of ``rows`` (under ``HEADER``); its batch."""
    outcome = ingest(
        conn,
        tenant_id=tenant_id,
        source="leadsource",
        stream=io.BytesIO((HEADER + "".join(r + "\n" for r in rows)).encode()),
        channel="cli",
    )
    assert outcome.batch.status == "done"
    return outcome.batch.id


def _rows(conn: Any, tenant_id: UUID, query: str, params: Any = None) -> list[tuple[Any, ...]]:
    with tenant_transaction_sync(conn, tenant_id):
        rows: list[tuple[Any, ...]] = conn.execute(query.encode(), params or []).fetchall()
        return rows


def _queued_records(conn: Any, tenant_id: UUID) -> list[int]:
    """Record numbers of the leads with an outbox row."""
    return [
        r[0]
        for r in _rows(
            conn,
            tenant_id,
            "SELECT l.record_number FROM deliveries d JOIN leads l ON l.id = d.lead_id ORDER BY 1",
        )
    ]


def _outbox_through(conn: Any, tenant_id: UUID) -> int | None:
    value = _rows(conn, tenant_id, "SELECT outbox_through FROM ingest_batches")[0][0]
    return None if value is None else int(value)


def _expand(conn: Any, *, backlog: int, limit: int) -> list[tuple[UUID, UUID]]:
    with conn.transaction():  # no tenant set: only the SECURITY DEFINER function sees rows
        return [
            (r[0], r[1])
            for r in conn.execute(
                delivery_queries["expand_deferred_outbox"], {"backlog": backlog, "limit": limit}
            ).fetchall()
        ]


def _deliver_all(database: DatabaseSettings) -> None:
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as owner:
        owner.execute("UPDATE deliveries SET status = 'delivered' WHERE status = 'pending'")


@pytest.mark.usefixtures("small_chunks")
def test_only_the_first_chunk_is_queued_and_the_rest_read_as_pending(
    app_conn: Any, tenant: UUID
) -> None:
    batch_id = ingest_rows(app_conn, tenant, ROWS)

    assert _queued_records(app_conn, tenant) == [1, 2]
    assert _outbox_through(app_conn, tenant) == 2
    statuses = dict(
        _rows(
            app_conn,
            tenant,
            "SELECT record_number, status FROM leads WHERE batch_id = %s",
            [batch_id],
        )
    )
    assert statuses[5] == "duplicate"
    params = {"tenant_id": tenant, "batch_id": batch_id}
    with tenant_transaction_sync(app_conn, tenant):
        by_status = dict(app_conn.execute(ingest_queries["batch_deliveries"], params).fetchall())
        waiting = {
            number: app_conn.execute(
                lead_queries["lead_delivery_status"],
                {"tenant_id": tenant, "lead_id": lead_id},
            ).fetchone()[0]
            for number, lead_id in app_conn.execute(
                b"SELECT record_number, id FROM leads WHERE record_number IN (4, 5)"
            ).fetchall()
        }
        replay_view = app_conn.execute(
            delivery_queries["delivery_status_for_lead"],
            {
                "tenant_id": tenant,
                "lead_id": app_conn.execute(
                    b"SELECT id FROM leads WHERE record_number = 5"
                ).fetchone()[0],
            },
        ).fetchone()
    # 8 accepted leads: 2 with outbox rows, 6 waiting; all pending. The duplicate is none.
    assert by_status == {"pending": 8}
    assert waiting == {4: "pending", 5: None}
    assert replay_view is None


@pytest.mark.usefixtures("small_chunks")
def test_the_sweeper_queues_waiting_leads_in_file_order_as_the_backlog_drains(
    app_conn: Any, tenant: UUID, database: DatabaseSettings
) -> None:
    ingest_rows(app_conn, tenant, ROWS)

    # Two pending already: a backlog of 4 leaves room for two more.
    first = _expand(app_conn, backlog=4, limit=100)
    queued_first = _queued_records(app_conn, tenant)
    full = _expand(app_conn, backlog=4, limit=100)
    through_after_first = _outbox_through(app_conn, tenant)
    _deliver_all(database)
    budgeted = _expand(app_conn, backlog=100, limit=1)
    rest = _expand(app_conn, backlog=100, limit=100)
    after_all = _expand(app_conn, backlog=100, limit=100)

    assert [t for t, _ in first] == [tenant, tenant]
    assert queued_first == [1, 2, 4, 6]  # the next ones in the file, not any two
    assert full == []
    assert through_after_first == 6  # records 4 and 6 queued (5 is a duplicate)
    assert len(budgeted) == 1
    assert len(rest) == 3
    assert after_all == []
    assert _queued_records(app_conn, tenant) == [1, 2, 4, 6, 7, 8, 9, 10]
    assert _outbox_through(app_conn, tenant) is None
    # Rows come back marked queued: the due-sweep does not queue them a second time.
    assert _rows(app_conn, tenant, "SELECT count(*) FROM deliveries WHERE enqueued_at IS NULL") == [
        (2,)
    ]


@pytest.mark.usefixtures("small_chunks")
def test_each_tenant_has_its_own_backlog(app_conn: Any, database: DatabaseSettings) -> None:
    busy, idle = create_tenant(database, "busy-co"), create_tenant(database, "idle-co")
    ingest_rows(app_conn, busy, ROWS)
    ingest_rows(app_conn, idle, ROWS)
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as owner:
        owner.execute("UPDATE deliveries SET status = 'delivered' WHERE tenant_id = %s", [idle])

    expanded = _expand(app_conn, backlog=3, limit=100)

    # busy has 2 pending (room 1), idle none (room 3).
    assert sorted(t == busy for t, _ in expanded) == [False, False, False, True]


def test_a_file_that_fits_in_one_chunk_defers_nothing(app_conn: Any, tenant: UUID) -> None:
    ingest_rows(app_conn, tenant, ROWS)

    assert _queued_records(app_conn, tenant) == [1, 2, 4, 6, 7, 8, 9, 10]
    assert _outbox_through(app_conn, tenant) is None
    assert _expand(app_conn, backlog=100, limit=100) == []
