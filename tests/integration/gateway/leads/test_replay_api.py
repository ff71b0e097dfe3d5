from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from .world import WEBHOOK_ID, World

ROW = "LS-1,Mary,Major,mary.major@example.com,555-234-0101,MA"


async def failed_lead(world: World, row: str = ROW) -> tuple[UUID, UUID]:
    """A lead of acme's whose delivery Bonzo refused (422); returns (lead id, delivery id)."""
    outcome = await world.ingest(world.acme, [row])
    await world.set_faults(forced_status={WEBHOOK_ID: 422})
    await world.deliver(world.acme, outcome.delivery_ids)
    await world.set_faults()
    [(lead_id, delivery_id)] = world.owner(
        "SELECT l.id, d.id FROM leads l JOIN deliveries d ON d.lead_id = l.id WHERE l.batch_id = %s",
        [outcome.batch.id],
    )
    return lead_id, delivery_id


async def replay(world: World, path: str, body: Any = None, *, content: bytes | None = None) -> Any:
    headers = world.acme.auth("admin") | {"content-type": "application/json"}
    if content is not None:
        return await world.client.post(path, content=content, headers=headers)
    return (
        await world.client.post(path, json=body, headers=headers)
        if body is not None
        else await world.client.post(path, headers=headers)
    )


async def test_replaying_a_failed_lead_queues_it_and_the_next_attempt_is_a_replay(
    world: World,
) -> None:
    lead_id, delivery_id = await failed_lead(world)

    response = await replay(world, f"/api/leads/{lead_id}/replay")

    assert response.status_code == 202, response.text
    assert response.json() == {"queued": 1, "delivery_ids": [str(delivery_id)]}
    assert delivery_id in await world.queued_delivery_ids()
    report = await world.deliver(world.acme, [delivery_id])
    assert report.delivered == 1
    detail = (await world.client.get(f"/api/leads/{lead_id}", headers=world.acme.auth())).json()
    assert [(a["trigger"], a["outcome"]) for a in detail["attempts"]] == [
        ("auto", "failed"),
        ("replay", "delivered"),
    ]


@pytest.mark.parametrize(
    "query", ["", "?force=false", "?force=0"], ids=["default", "false", "zero"]
)
async def test_delivered_lead_is_replayed_only_with_force(world: World, query: str) -> None:
    outcome = await world.ingest(world.acme, [ROW])
    await world.deliver(world.acme, outcome.delivery_ids)
    [(lead_id,)] = world.owner("SELECT id FROM leads WHERE batch_id = %s", [outcome.batch.id])

    refused = await replay(world, f"/api/leads/{lead_id}/replay{query}")
    forced = await replay(world, f"/api/leads/{lead_id}/replay?force=true")

    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:leadgate:problem:replay-not-possible"
    assert "already delivered" in refused.json()["detail"]
    assert forced.status_code == 202
    assert forced.json()["queued"] == 1


async def test_malformed_force_flag_is_a_400(world: World) -> None:
    lead_id, _ = await failed_lead(world)

    response = await replay(world, f"/api/leads/{lead_id}/replay?force=please")

    assert response.status_code == 400


async def test_pending_duplicate_and_unknown_leads_cannot_be_replayed(world: World) -> None:
    outcome = await world.ingest(world.acme, [ROW, ROW.replace("LS-1", "LS-2")])
    [(pending,), (duplicate,)] = world.owner(
        "SELECT id FROM leads WHERE batch_id = %s ORDER BY record_number", [outcome.batch.id]
    )

    answers = [
        (await replay(world, f"/api/leads/{lead_id}/replay")).status_code
        for lead_id in (pending, duplicate, "00000000-0000-0000-0000-000000000000")
    ]

    assert answers == [409, 409, 404]


async def test_bulk_replay_queues_every_failed_delivery_matching_the_filters(world: World) -> None:
    _, first = await failed_lead(world)
    _, second = await failed_lead(
        world, ROW.replace("LS-1", "LS-7").replace("0101", "0199").replace("mary", "maria")
    )
    [(batch_of_second,)] = world.owner(
        "SELECT l.batch_id FROM deliveries d JOIN leads l ON l.id = d.lead_id WHERE d.id = %s",
        [second],
    )

    narrowed = await replay(world, "/api/deliveries/replay", {"batch_id": str(batch_of_second)})
    rest = await replay(
        world, "/api/deliveries/replay", {"source": "leadsource", "since": "2000-01-01T00:00:00"}
    )

    assert narrowed.status_code == rest.status_code == 202
    assert narrowed.json()["delivery_ids"] == [str(second)]
    assert rest.json()["delivery_ids"] == [str(first)]
    assert {first, second} <= await world.queued_delivery_ids()


async def test_replay_needs_the_admin_scope(world: World) -> None:
    lead_id, _ = await failed_lead(world)

    for scope in ("read", "ingest"):
        response = await world.client.post(
            f"/api/leads/{lead_id}/replay", headers=world.acme.auth(scope)
        )
        assert response.status_code == 403
        response = await world.client.post(
            "/api/deliveries/replay", json={}, headers=world.acme.auth(scope)
        )
        assert response.status_code == 403
    assert (await world.client.post("/api/deliveries/replay", json={})).status_code == 401


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"[]",
        b'{"force": "yes please"}',
        b'{"force": 1}',
        b'{"since": 0}',
        b'{"batch_id": "not-a-uuid"}',
        b'{"source": "Experian"}',
        b'{"since": "last week"}',
        b'{"unknown": 1}',
        b'{"source": "\xff"}',
        b"\xff\xfe",
    ],
    ids=[
        "truncated",
        "array",
        "wrong-type",
        "number-as-flag",
        "number-as-time",
        "bad-uuid",
        "bad-source",
        "bad-time",
        "unknown-field",
        "invalid-utf8-in-string",
        "invalid-utf8",
    ],
)
async def test_malformed_replay_bodies_are_a_400(world: World, content: bytes) -> None:
    response = await replay(world, "/api/deliveries/replay", content=content)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_oversize_replay_body_is_a_413(world: World) -> None:
    response = await replay(
        world, "/api/deliveries/replay", content=b'{"source": "' + b"a" * 20_000 + b'"}'
    )

    assert response.status_code == 413
