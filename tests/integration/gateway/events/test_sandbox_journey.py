"""The whole loop: a lead is delivered to the Bonzo sandbox, the sandbox sends its event
hooks to the gateway, and the lead's journey and first-contact time appear."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.settings import DatabaseSettings

from ..leads.world import World, running_world

WAIT_S = 15.0


@pytest.fixture
async def world(tmp_path: Path, database: DatabaseSettings, redis_url: str) -> AsyncIterator[World]:
    async with running_world(tmp_path, database, redis_url, first_contact_after=0.05) as running:
        yield running


async def lead_once_contacted(world: World, lead_id: Any) -> dict[str, Any]:
    """The lead's detail once its first contact is known (events arrive asynchronously)."""
    async with asyncio.timeout(WAIT_S):
        while True:
            response = await world.client.get(f"/api/leads/{lead_id}", headers=world.acme.auth())
            detail: dict[str, Any] = response.json()
            if detail["first_contact_at"] is not None:
                return detail
            await asyncio.sleep(0.05)


async def test_delivered_lead_gets_its_journey_and_first_contact_from_bonzo_event_hooks(
    world: World,
) -> None:
    outcome = await world.ingest(
        world.acme, ["LS-1,Mary,Major,mary.major@example.com,555-234-0101,MA"]
    )
    report = await world.deliver(world.acme, outcome.delivery_ids)
    [(lead_id,)] = world.owner("SELECT id FROM leads WHERE batch_id = %s", [outcome.batch.id])

    detail = await lead_once_contacted(world, lead_id)

    assert report.delivered == 1
    kinds = [entry["kind"] for entry in detail["journey"]]
    assert kinds[0] == "linked"
    assert ("contact_attempt", "sms", "sent") in [
        (entry["kind"], entry["channel"], entry["value"]) for entry in detail["journey"]
    ]
    [prospect] = detail["prospects"]
    assert prospect["linked_by"] == "external_id"
    assert prospect["last_contact_at"] is not None
    assert datetime.fromisoformat(detail["first_contact_at"]) >= datetime.fromisoformat(
        detail["received_at"]
    )
    assert world.owner(
        "SELECT count(*) FROM prospect_events WHERE outcome IS DISTINCT FROM 'applied'"
    ) == [(0,)]
