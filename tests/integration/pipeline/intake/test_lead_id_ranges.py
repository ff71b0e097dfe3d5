"""A batch's leads take their ids from the batch's range (migration 0011): the id of record
N is the batch's lead_id_base with N in its last four bytes. Batches loaded before that
have leads with ids of any order; every reader of a batch's leads still finds them, in
record order."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest

from gateway.ingest.repository import queries as ingest_queries
from pipeline.core.db import tenant_transaction_sync
from pipeline.core.settings import DatabaseSettings
from pipeline.delivery.repository import queries as delivery_queries
from pipeline.intake import service
from pipeline.intake.links import batch_lead_ids
from pipeline.leads.repository import queries as lead_queries
from tests.integration.pipeline.intake.test_deferred_outbox import ingest_rows

ROWS = [
    "LS-1,Ann,Lee,ann@example.com,",
    "LS-2,Bo,Ray,bo@example.com,",
    "LS-3,,Nofirst,nofirst@example.com,",  # failed: no lead, no id
    "LS-4,Cy,Dee,cy@example.com,",
    "LS-5,Di,Eve,ann@example.com,",  # duplicate of record 1
    "LS-6,Ed,Fox,ed@example.com,",
    "LS-7,Flo,Gee,flo@example.com,",
]
LEAD_RECORDS = [1, 2, 4, 5, 6, 7]


def _ingest(conn: Any, tenant_id: UUID, rows: list[str] = ROWS) -> UUID:
    return ingest_rows(conn, tenant_id, rows)


def _rows(conn: Any, tenant_id: UUID, query: str | bytes, params: Any = None) -> list[Any]:
    with tenant_transaction_sync(conn, tenant_id):
        text = query.encode() if isinstance(query, str) else query
        return list(conn.execute(text, params or []).fetchall())


def _owner(database: DatabaseSettings, query: str, params: Any = None) -> None:
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as owner:
        owner.execute(query.encode(), params or [])


def _as_loaded_before_0011(database: DatabaseSettings, batch_id: UUID) -> None:
    """Give the batch what a batch loaded before migration 0011 had: no id range, and
    leads with random (version 4) ids, in no relation to their record order."""
    _owner(
        database,
        """
        WITH renamed AS (
            UPDATE leads l SET id = gen_random_uuid() FROM leads o
            WHERE o.id = l.id AND l.batch_id = %(batch)s
            RETURNING o.id AS old_id, l.id AS new_id
        ), deliveries_moved AS (
            UPDATE deliveries d SET lead_id = r.new_id FROM renamed r WHERE d.lead_id = r.old_id
        )
        UPDATE ingest_batches SET lead_id_base = NULL WHERE id = %(batch)s
        """,
        {"batch": batch_id},
    )


def _listed(conn: Any, tenant_id: UUID, batch_id: UUID, *, limit: int) -> list[int]:
    """Record numbers of the batch's leads, walked a page of ``limit`` at a time through
    list_leads' cursor."""
    after: tuple[datetime, UUID, int] | None = None
    records: list[int] = []
    while True:
        params = {
            "tenant_id": tenant_id,
            "source": None,
            "status": None,
            "state": None,
            "batch_id": batch_id,
            "since": None,
            "until": None,
            "after_at": after[0] if after else None,
            "after_batch": after[1] if after else None,
            "after_record": after[2] if after else None,
            "limit": limit + 1,
        }
        page = _rows(conn, tenant_id, lead_queries["list_leads"], params)
        # (id, batch_id, record_number, ..., received_at at 11)
        records.extend(row[2] for row in page[:limit])
        if len(page) <= limit:
            return records
        last = page[limit - 1]
        after = (last[11], last[1], last[2])


def test_a_batch_s_lead_ids_are_its_base_and_record_numbers(app_conn: Any, tenant: UUID) -> None:
    batch_id = _ingest(app_conn, tenant)

    (base,) = _rows(app_conn, tenant, "SELECT lead_id_base FROM ingest_batches")[0]
    leads = _rows(
        app_conn,
        tenant,
        "SELECT record_number, id, lead_id(%s, record_number) FROM leads"
        " WHERE batch_id = %s ORDER BY id",
        [base, batch_id],
    )

    assert base.version == 8
    assert [r for r, _, _ in leads] == LEAD_RECORDS  # id order is file order
    assert [i for _, i, _ in leads] == [sql_id for _, _, sql_id in leads]
    assert [i.bytes for _, i, _ in leads] == batch_lead_ids(base)(LEAD_RECORDS)


def test_two_batches_never_share_a_range(app_conn: Any, tenant: UUID) -> None:
    _ingest(app_conn, tenant)
    _ingest(app_conn, tenant, [*ROWS, "LS-8,Gil,Ham,gil@example.com,"])

    bases = [r[0] for r in _rows(app_conn, tenant, "SELECT lead_id_base FROM ingest_batches")]

    assert len({b.bytes[:12] for b in bases}) == 2


@pytest.mark.parametrize("loaded_before_0011", [False, True])
@pytest.mark.parametrize("limit", [1, 2, 50])
def test_list_leads_walks_a_batch_in_record_order(
    app_conn: Any, tenant: UUID, database: DatabaseSettings, loaded_before_0011: bool, limit: int
) -> None:
    batch_id = _ingest(app_conn, tenant)
    if loaded_before_0011:
        _as_loaded_before_0011(database, batch_id)

    assert _listed(app_conn, tenant, batch_id, limit=limit) == LEAD_RECORDS


@pytest.mark.parametrize("loaded_before_0011", [False, True])
def test_batch_deliveries_count_the_batch_s_accepted_leads(
    app_conn: Any, tenant: UUID, database: DatabaseSettings, loaded_before_0011: bool
) -> None:
    batch_id = _ingest(app_conn, tenant)
    _ingest(app_conn, tenant, ["LS-9,Hal,Ivy,hal@example.com,"])  # another batch, not counted
    if loaded_before_0011:
        _as_loaded_before_0011(database, batch_id)

    counts = _rows(
        app_conn,
        tenant,
        ingest_queries["batch_deliveries"],
        {"tenant_id": tenant, "batch_id": batch_id},
    )

    assert counts == [("pending", 5)]


@pytest.mark.parametrize("loaded_before_0011", [False, True])
def test_the_sweeper_expands_a_batch_in_record_order(
    app_conn: Any,
    tenant: UUID,
    database: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
    loaded_before_0011: bool,
) -> None:
    monkeypatch.setattr(service, "LOAD_CHUNK_RECORDS", 2)
    batch_id = _ingest(app_conn, tenant)
    if loaded_before_0011:
        _as_loaded_before_0011(database, batch_id)
    queued = "SELECT l.record_number FROM deliveries d JOIN leads l ON l.id = d.lead_id ORDER BY 1"
    before = [r[0] for r in _rows(app_conn, tenant, queued)]

    newest = []
    for _ in range(3):
        with app_conn.transaction():  # no tenant: the SECURITY DEFINER function sees all
            app_conn.execute(
                delivery_queries["expand_deferred_outbox"], {"backlog": 100, "limit": 1}
            ).fetchall()
        newest.append(_rows(app_conn, tenant, queued)[-1][0])

    assert before == [1, 2]
    assert newest == [4, 6, 7]  # one lead a call, in file order; 5 is a duplicate


@pytest.mark.parametrize("loaded_before_0011", [False, True])
def test_deleting_a_batch_deletes_its_leads_only(
    app_conn: Any, tenant: UUID, database: DatabaseSettings, loaded_before_0011: bool
) -> None:
    batch_id = _ingest(app_conn, tenant)
    kept = _ingest(app_conn, tenant, ["LS-9,Hal,Ivy,hal@example.com,"])
    if loaded_before_0011:
        _as_loaded_before_0011(database, batch_id)

    _owner(database, "DELETE FROM ingest_batches WHERE id = %s", [batch_id])

    left = _rows(app_conn, tenant, "SELECT batch_id, record_number FROM leads")
    assert left == [(kept, 1)]
