"""The statements that look leads up by a dedupe key reach them through the dedupe indexes.

An index serves a text comparison only in the index's collation. The keys' columns and
indexes are in "C" (migration 0006) while staging tables and parameters have the
database's default, so a comparison that ended up in another collation would fall back
to scanning all of a tenant's leads, for every row of every load, with no test of what it
returns noticing. Sequential scans are priced out here, so the planner picks an index
wherever one is usable at all.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from pipeline.core.db import tenant_transaction_sync
from pipeline.intake import repository as intake_repository
from pipeline.intake.repository import queries as intake_queries
from pipeline.journey.repository import queries as journey_queries
from tests.integration.pipeline.intake.test_deferred_outbox import ingest_rows

# Each dedupe index with the key its scans must seek on (in the index condition, not a
# filter applied to every entry of the tenant).
DEDUPE_KEYS = {
    "leads_dedupe_record_id": "source_record_id",
    "leads_dedupe_phone": "phone",
    "leads_dedupe_email": "email",
}


def _seeks(scans: list[tuple[str, str | None, str]]) -> list[tuple[str | None, bool]]:
    """Each scan's index and whether its index condition compares that index's key."""
    return [
        (index, index in DEDUPE_KEYS and f"({DEDUPE_KEYS[index]} = " in condition)
        for _, index, condition in scans
    ]


def _scans_of_leads(plan: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(node type, index name, index condition) of every scan of ``leads`` in a JSON plan."""
    found = []
    if plan.get("Relation Name") == "leads" and plan["Node Type"].endswith("Scan"):
        found.append((plan["Node Type"], plan.get("Index Name"), plan.get("Index Cond", "")))
    for child in plan.get("Plans", []):
        found.extend(_scans_of_leads(child))
    return found


def _explain(conn: Any, query: bytes, params: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    conn.execute("SET LOCAL enable_seqscan = off")
    row = conn.execute(b"EXPLAIN (FORMAT JSON) " + query, params).fetchone()
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return _scans_of_leads(plan[0]["Plan"])


def test_the_load_probes_every_dedupe_key_through_its_index(app_conn: Any, tenant: UUID) -> None:
    batch_id = ingest_rows(app_conn, tenant, ["LS-1,Ann,Lee,ann@example.com,"])

    with tenant_transaction_sync(app_conn, tenant) as conn:
        intake_repository.create_staging_tables(conn)
        scans = _explain(
            conn,
            intake_queries["load_leads_from_staging"],
            {
                "tenant_id": tenant,
                "batch_id": batch_id,
                "source": "leadsource",
                "dedupe_window": timedelta(days=30),
                "queue": True,
            },
        )

    # Each key is probed twice: the staged lead's own, then its in-chunk root's.
    assert sorted(_seeks(scans)) == sorted([(name, True) for name in DEDUPE_KEYS] * 2)


def test_a_bonzo_prospect_finds_its_lead_by_phone_and_email_through_their_indexes(
    app_conn: Any, tenant: UUID
) -> None:
    with tenant_transaction_sync(app_conn, tenant) as conn:
        scans = _explain(
            conn,
            journey_queries["lead_for_prospect"],
            {
                "tenant_id": tenant,
                "external_id": None,
                "phone": "5555550123",
                "email": "ann@example.com",
            },
        )

    assert {("leads_dedupe_phone", True), ("leads_dedupe_email", True)} <= set(_seeks(scans))
