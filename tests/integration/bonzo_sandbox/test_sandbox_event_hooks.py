"""Event hooks delivered to a real local receiver: envelope, code header, first contact."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from gateway.bonzo_sandbox import EventHookTarget, RunningSandbox

from .sandbox_helpers import (
    API_TOKEN,
    HOOK_CODE,
    WEBHOOK_ID,
    HookReceiver,
    StartSandbox,
    eventually,
    lead_body,
)

HOOK = f"/api/webhook/{WEBHOOK_ID}"


async def test_new_prospect_sends_prospects_created_with_code_and_envelope(
    start_sandbox: StartSandbox, hook_receiver: tuple[str, HookReceiver]
) -> None:
    url, receiver = hook_receiver
    target = EventHookTarget(url=url, code=HOOK_CODE)
    async with start_sandbox(event_hook=target) as running, httpx.AsyncClient() as client:
        await client.post(running.webhook_url(WEBHOOK_ID), json=lead_body(phone="555.555.0100"))
        [(headers, body)] = await receiver.wait_for(1)

    assert headers["x-bonzo-code"] == HOOK_CODE
    assert set(body) == {"event", "prospect", "additional"}
    assert body["event"] == "prospects.created"
    prospect = body["prospect"]
    assert prospect["phone"] == "+15555550100"
    assert prospect["full_name"] == "Mary Example"
    assert prospect["external_id"] == "lg-1"
    assert prospect["source"] == "leadgate"
    assert {
        "id",
        "email",
        "status",
        "assigned_to",
        "campaigns",
        "tags",
        "dnc",
        "last_contact",
        "created_at",
        "updated_at",
    } <= set(prospect)


async def test_merged_post_sends_prospects_updated(
    start_sandbox: StartSandbox, hook_receiver: tuple[str, HookReceiver]
) -> None:
    url, receiver = hook_receiver
    target = EventHookTarget(url=url, code=HOOK_CODE)
    async with start_sandbox(event_hook=target) as running, httpx.AsyncClient() as client:
        await client.post(running.webhook_url(WEBHOOK_ID), json=lead_body())
        await receiver.wait_for(1)
        await client.post(running.webhook_url(WEBHOOK_ID), json=lead_body(city="Toledo"))
        deliveries = await receiver.wait_for(2)

    updated = deliveries[1][1]
    assert updated["event"] == "prospects.updated"
    assert updated["prospect"]["city"] == "Toledo"
    assert updated["prospect"]["id"] == deliveries[0][1]["prospect"]["id"]


async def test_prospect_created_through_a_campaign_webhook_names_the_campaign(
    start_sandbox: StartSandbox, hook_receiver: tuple[str, HookReceiver]
) -> None:
    url, receiver = hook_receiver
    target = EventHookTarget(url=url, code=HOOK_CODE)
    async with (
        start_sandbox(event_hook=target) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        registered = await client.post("/_sandbox/webhooks", json={"campaign_id": 201})
        await client.post(registered.json()["path"], json=lead_body())
        [(_, body)] = await receiver.wait_for(1)

    assert body["additional"] == {"campaign": {"id": 201, "name": "New Lead Nurture"}}
    assert body["prospect"]["campaigns"] == {"201": "New Lead Nurture"}


async def test_first_contact_is_simulated_as_a_sent_sms_after_the_delay(
    start_sandbox: StartSandbox, hook_receiver: tuple[str, HookReceiver]
) -> None:
    url, receiver = hook_receiver
    target = EventHookTarget(url=url, code=HOOK_CODE)
    async with (
        start_sandbox(event_hook=target, first_contact_after=0.05) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        await client.post(HOOK, json=lead_body())
        created, contacted = await receiver.wait_for(2)
        prospect_id = created[1]["prospect"]["id"]
        resource = await client.get(
            f"/api/v3/prospects/{prospect_id}", headers={"Authorization": f"Bearer {API_TOKEN}"}
        )

    body = contacted[1]
    assert body["event"] == "messages.outgoing.updated"
    assert body["additional"]["message"]["type"] == "sms"
    assert body["additional"]["message"]["status"] == "sent"
    assert body["prospect"]["id"] == prospect_id
    assert body["prospect"]["last_contact"] is not None
    assert resource.json()["data"]["last_contact"] == body["prospect"]["last_contact"]


async def test_first_contact_is_simulated_once_per_new_prospect(
    start_sandbox: StartSandbox, hook_receiver: tuple[str, HookReceiver]
) -> None:
    url, receiver = hook_receiver
    target = EventHookTarget(url=url, code=HOOK_CODE)
    async with (
        start_sandbox(event_hook=target, first_contact_after=0.0) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        await client.post(HOOK, json=lead_body())
        await receiver.wait_for(2)
        await client.post(HOOK, json=lead_body(city="Toledo"))  # merge: no new contact
        await client.post(HOOK, json=lead_body(phone="5555550199", email="b@example.com"))
        deliveries = await receiver.wait_for(5)

    contacts = Counter(
        body["prospect"]["id"]
        for _, body in deliveries
        if body["event"] == "messages.outgoing.updated"
    )
    assert sorted(contacts.values()) == [1, 1]
    assert Counter(body["event"] for _, body in deliveries)["prospects.updated"] == 1


async def test_unreachable_receiver_is_counted_and_the_lead_still_taken(
    start_sandbox: StartSandbox,
) -> None:
    target = EventHookTarget(url="http://127.0.0.1:9/bonzo/events", code=HOOK_CODE)
    async with (
        start_sandbox(event_hook=target) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        response = await client.post(HOOK, json=lead_body())

        async def failed_once() -> dict[str, Any] | None:
            stats: dict[str, Any] = (await client.get("/_sandbox/event-hooks")).json()
            return stats if stats["failed"] == 1 else None

        stats = await eventually(failed_once)

    assert response.status_code == 200
    assert stats["recent"][0]["status"] is None
    assert stats["recent"][0]["error"] == "ConnectError"


async def test_without_event_hook_target_nothing_is_sent(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as client:
        await client.post(HOOK, json=lead_body())
        stats = (await client.get("/_sandbox/event-hooks")).json()

    assert stats == {
        "enabled": False,
        "sent": 0,
        "failed": 0,
        "dropped": 0,
        "queued": 0,
        "recent": [],
    }
