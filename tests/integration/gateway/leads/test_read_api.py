from __future__ import annotations

import asyncio
import csv
import io
import logging
from datetime import UTC, timedelta
from typing import Any

import pytest

from pipeline.intake import service as intake_service
from tenant_auth.audit.service import list_events
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import get_tenant

from .world import WEBHOOK_ID, World

ROWS = [
    "LS-1,Mary,Major,mary.major@example.com,555-234-0101,MA",
    "LS-2,Ned,Nolan,ned.nolan@example.com,555-234-0102,ny",
    "LS-3,,Nobody,,,TX",
    "LS-4,Mary,Major,mary.major@example.com,555-234-0101,MA",
    "LS-5,Olga,Ortiz,olga.ortiz@example.com,555-234-0103,CA",
]


async def get(world: World, path: str, scope: str = "read", **params: Any) -> Any:
    response = await world.client.get(path, params=params, headers=world.acme.auth(scope))
    assert response.status_code == 200, response.text
    return response.json()


async def test_leads_are_listed_newest_batch_first_in_file_order(world: World) -> None:
    first = await world.ingest(world.acme, ROWS[:2])
    second = await world.ingest(world.acme, ROWS[2:])

    page = await get(world, "/api/leads")

    listed = [(lead["batch_id"], lead["record_number"]) for lead in page["items"]]
    assert listed == [
        (str(second.batch.id), 2),
        (str(second.batch.id), 3),
        (str(first.batch.id), 1),
        (str(first.batch.id), 2),
    ]
    assert page["next_cursor"] is None
    by_record = {(lead["batch_id"], lead["record_number"]): lead for lead in page["items"]}
    duplicate = by_record[(str(second.batch.id), 2)]
    assert (duplicate["status"], duplicate["delivery_status"]) == ("duplicate", None)
    assert by_record[(str(first.batch.id), 2)]["delivery_status"] == "pending"
    assert by_record[(str(first.batch.id), 2)]["state"] == "NY"


async def test_every_filter_narrows_the_list(world: World) -> None:
    first = await world.ingest(world.acme, ROWS[:2])
    second = await world.ingest(world.acme, ROWS[2:])
    [(received_at,)] = world.owner(
        "SELECT min(received_at) FROM leads WHERE batch_id = %s", [second.batch.id]
    )
    one_second_later_utc_without_offset = (
        (received_at + timedelta(seconds=1)).astimezone(UTC).replace(tzinfo=None)
    )

    async def records(**params: Any) -> list[int]:
        page = await get(world, "/api/leads", **params)
        return [lead["record_number"] for lead in page["items"]]

    assert await records(status="duplicate") == [2]
    assert await records(state="ma") == [2, 1]
    assert await records(batch_id=str(first.batch.id)) == [1, 2]
    assert await records(source="leadsource") == [2, 3, 1, 2]
    assert await records(source="experian") == []
    assert await records(since=received_at.isoformat()) == [2, 3]
    assert await records(until=received_at.isoformat()) == [1, 2]
    assert await records(since=one_second_later_utc_without_offset.isoformat()) == []


async def test_pages_walk_every_lead_exactly_once(world: World) -> None:
    for start in range(0, 5, 2):
        await world.ingest(
            world.acme,
            [
                f"LS-{n},First{n},Last,p{n}@example.com,555-234-{n:04d},MA"
                for n in range(start, start + 2)
            ],
        )
    seen: list[tuple[str, int]] = []
    cursor: str | None = None
    pages = 0

    while True:
        params: dict[str, Any] = {"limit": 4} | ({} if cursor is None else {"cursor": cursor})
        page = await get(world, "/api/leads", **params)
        seen.extend((lead["batch_id"], lead["record_number"]) for lead in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 2
    assert len(seen) == len(set(seen)) == 6


async def test_lead_detail_has_raw_normalized_warnings_delivery_and_attempts(world: World) -> None:
    outcome = await world.ingest(
        world.acme, ["LS-1,mary,MAJOR,Mary.Major@Example.com,(555) 234-0101,ma"]
    )
    await world.set_faults(forced_status={WEBHOOK_ID: 422})
    await world.deliver(world.acme, outcome.delivery_ids)
    [(lead_id,)] = world.owner("SELECT id FROM leads WHERE batch_id = %s", [outcome.batch.id])

    detail = await get(world, f"/api/leads/{lead_id}")

    assert detail["raw"] == {
        "Lead ID": "LS-1",
        "First Name": "mary",
        "Last Name": "MAJOR",
        "Email": "Mary.Major@Example.com",
        "Pri. Phone": "(555) 234-0101",
        "State": "ma",
    }
    assert list(detail["raw"]) == [
        "Lead ID",
        "First Name",
        "Last Name",
        "Email",
        "Pri. Phone",
        "State",
    ]
    lead = detail["lead"]
    assert (lead["email"], lead["phone"], lead["state"]) == (
        "mary.major@example.com",
        "5552340101",
        "MA",
    )
    assert isinstance(detail["warnings"], list)
    assert detail["delivery"]["status"] == "failed"
    assert detail["delivery_status"] == "failed"
    assert detail["delivery"]["last_status_code"] == 422
    [attempt] = detail["attempts"]
    assert (attempt["attempt_number"], attempt["status_code"], attempt["outcome"]) == (
        1,
        422,
        "failed",
    )
    assert attempt["request_payload"]["external_id"] == str(lead_id)
    assert detail["journey"] == []
    assert detail["prospects"] == []


async def test_a_big_files_leads_waiting_for_their_outbox_rows_read_as_pending(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2 records per load chunk: records 3-5 wait for the delivery sweeper (migration 0007).
    monkeypatch.setattr(intake_service, "LOAD_CHUNK_RECORDS", 2)
    outcome = await world.ingest(world.acme, ROWS)
    ids = dict(
        world.owner("SELECT record_number, id FROM leads WHERE batch_id = %s", [outcome.batch.id])
    )

    queued, waiting, duplicate = [
        await get(world, f"/api/leads/{ids[number]}") for number in (1, 5, 4)
    ]
    listed = await get(world, "/api/leads", batch_id=str(outcome.batch.id))

    assert (queued["delivery"]["status"], queued["delivery_status"]) == ("pending", "pending")
    assert (waiting["delivery"], waiting["delivery_status"]) == (None, "pending")
    assert (duplicate["delivery"], duplicate["delivery_status"]) == (None, None)
    assert {item["record_number"]: item["delivery_status"] for item in listed["items"]} == {
        1: "pending",
        2: "pending",
        4: None,
        5: "pending",
    }


async def test_failed_records_are_listed_with_every_error(world: World) -> None:
    outcome = await world.ingest(
        world.acme, ["LS-1,,Nobody,,,TX", "LS-2,Ann,Lee,not-an-email,,MA", *ROWS[:1]]
    )

    page = await get(world, "/api/failed-records", batch_id=str(outcome.batch.id))

    assert [record["record_number"] for record in page["items"]] == [1, 2]
    codes = {
        record["record_number"]: {error["code"] for error in record["errors"]}
        for record in page["items"]
    }
    assert "contact_required" in codes[1]
    assert page["items"][1]["raw"]["Email"] == "not-an-email"
    assert (await get(world, "/api/failed-records", limit=1))["next_cursor"] is not None


async def test_deliveries_are_listed_by_status(world: World) -> None:
    failing = await world.ingest(world.acme, ROWS[:1])
    await world.set_faults(forced_status={WEBHOOK_ID: 422})
    await world.deliver(world.acme, failing.delivery_ids)
    await world.set_faults()
    delivered = await world.ingest(world.acme, ROWS[1:2])
    await world.deliver(world.acme, delivered.delivery_ids)

    failed = await get(world, "/api/deliveries", status="failed")
    everything = await get(world, "/api/deliveries")

    assert [d["id"] for d in failed["items"]] == [str(i) for i in failing.delivery_ids]
    assert "422" in failed["items"][0]["last_error"]
    assert {d["status"] for d in everything["items"]} == {"failed", "delivered"}


async def test_failed_records_export_is_csv_with_formulas_neutralized_and_is_audited(
    world: World,
) -> None:
    await world.ingest(
        world.acme, ['LS-1,"=HYPERLINK(""http://example.com"")",,,,MA', "LS-2,,Nobody,,,TX"]
    )

    response = await world.client.get("/api/failed-records.csv", headers=world.acme.auth())

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="failed-records.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["batch_id", "record", "source", "error_codes", "errors"]
    first_name = rows[0].index("First Name")
    assert rows[1][first_name] == '\'=HYPERLINK("http://example.com")'
    assert len(rows) == 3
    async with open_registry(world.settings.auth) as registry:
        tenant = await get_tenant(registry, world.acme.slug)
        events = await list_events(await registry.database(tenant))
    assert [(e.action, e.target) for e in events if e.action == "export"] == [
        ("export", "failed_records")
    ]


async def test_large_export_arrives_complete(world: World) -> None:
    rows = [f"LS-{n},,Nobody{n},,,TX" for n in range(6000)]
    outcome = await world.ingest(world.acme, rows)

    async with world.client.stream(
        "GET",
        "/api/failed-records.csv",
        params={"batch_id": str(outcome.batch.id)},
        headers=world.acme.auth(),
    ) as response:
        chunks = [chunk async for chunk in response.aiter_bytes()]

    text = b"".join(chunks).decode()
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="failed-records-{outcome.batch.id}.csv"'
    )
    assert len(list(csv.reader(io.StringIO(text)))) == 6001
    assert text.count("Nobody5999") == 1


async def test_client_leaving_mid_export_stops_the_export_and_frees_its_connection(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.leads.export")
    header = "Lead ID,First Name,Last Name,Email,Pri. Phone,State,Notes\n"
    await world.ingest(
        world.acme, [f"LS-{n},,Nobody{n},,,TX,{'x' * 200}" for n in range(30000)], header=header
    )

    async with world.client.stream(
        "GET", "/api/failed-records.csv", headers=world.acme.auth()
    ) as response:
        async for _ in response.aiter_bytes():
            break

    def export_connections() -> int:
        [(count,)] = world.owner(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%failed_export%%' AND pid <> pg_backend_pid()"
        )
        return int(count)

    for _ in range(300):
        if export_connections() == 0:
            break
        await asyncio.sleep(0.05)
    assert export_connections() == 0
    assert "failed-record export abandoned by the client" in caplog.text
