"""Tenant B's keys see none of tenant A's rows: A's ids are unknown to B, B's lists and
exports never include A's rows, and B cannot replay A's deliveries."""

from __future__ import annotations

import csv
import io
from typing import Any

from .world import WEBHOOK_ID, World


async def acme_with_everything(world: World) -> dict[str, Any]:
    outcome = await world.ingest(
        world.acme,
        ["LS-1,Mary,Major,mary.major@example.com,555-234-0101,MA", "LS-2,,Nobody,,,TX"],
    )
    await world.set_faults(forced_status={WEBHOOK_ID: 422})
    await world.deliver(world.acme, outcome.delivery_ids)
    [(lead_id,)] = world.owner("SELECT id FROM leads WHERE batch_id = %s", [outcome.batch.id])
    return {"lead_id": str(lead_id), "batch_id": str(outcome.batch.id)}


async def test_another_tenants_lead_and_batch_ids_are_not_found(world: World) -> None:
    acme = await acme_with_everything(world)
    beta = world.beta

    async def status(method: str, path: str, scope: str = "read", **kwargs: Any) -> int:
        response = await world.client.request(method, path, headers=beta.auth(scope), **kwargs)
        return response.status_code

    assert await status("GET", f"/api/leads/{acme['lead_id']}") == 404
    for path in ("/api/leads", "/api/failed-records", "/api/deliveries", "/api/failed-records.csv"):
        assert await status("GET", path, params={"batch_id": acme["batch_id"]}) == 404, path
    assert await status("POST", f"/api/leads/{acme['lead_id']}/replay", "admin") == 404
    assert (
        await status("POST", "/api/deliveries/replay", "admin", json={"batch_id": acme["batch_id"]})
        == 404
    )
    [(status_after,)] = world.owner(
        "SELECT status FROM deliveries WHERE lead_id = %s", [acme["lead_id"]]
    )
    assert status_after == "failed"


async def test_another_tenants_lists_and_export_never_include_the_first_tenants_rows(
    world: World,
) -> None:
    await acme_with_everything(world)
    await world.ingest(
        world.beta, ["LS-1,Ned,Nolan,ned.nolan@example.com,555-234-0102,NY", "LS-2,,Nobody,,,TX"]
    )

    def page(path: str) -> Any:
        return world.client.get(path, headers=world.beta.auth())

    leads = (await page("/api/leads")).json()["items"]
    failed = (await page("/api/failed-records")).json()["items"]
    deliveries = (await page("/api/deliveries")).json()["items"]
    export = list(csv.reader(io.StringIO((await page("/api/failed-records.csv")).text)))

    assert [lead["first_name"] for lead in leads] == ["Ned"]
    assert len(failed) == 1
    assert [d["status"] for d in deliveries] == ["pending"]
    assert len(export) == 2
    assert world.owner("SELECT count(*) FROM leads") == [(2,)]


async def test_bulk_replay_by_another_tenant_touches_none_of_the_first_tenants_deliveries(
    world: World,
) -> None:
    acme = await acme_with_everything(world)

    response = await world.client.post(
        "/api/deliveries/replay", json={}, headers=world.beta.auth("admin")
    )

    assert response.status_code == 202
    assert response.json() == {"queued": 0, "delivery_ids": []}
    [(status_after,)] = world.owner(
        "SELECT status FROM deliveries WHERE lead_id = %s", [acme["lead_id"]]
    )
    assert status_after == "failed"
