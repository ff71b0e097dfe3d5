from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from ..leads.world import World

UPDATED_AT = "2026-03-09T14:03:22.000000Z"


def prospect_event(
    event: str = "prospects.created",
    *,
    prospect_id: int = 501,
    additional: Any = None,
    **fields: Any,
) -> dict[str, Any]:
    prospect: dict[str, Any] = {
        "id": prospect_id,
        "first_name": "Mary",
        "last_name": "Major",
        "phone": "+15552340101",
        "email": "mary.major@example.com",
        "status": "new",
        "assigned_to": 101,
        "dnc": False,
        "last_contact": None,
        "created_at": UPDATED_AT,
        "updated_at": UPDATED_AT,
    }
    prospect.update(fields)
    return {
        "event": event,
        "prospect": prospect,
        "additional": {} if additional is None else additional,
    }


async def acme_lead(
    world: World, row: str = "LS-1,Mary,Major,mary.major@example.com,555-234-0101,MA"
) -> UUID:
    outcome = await world.ingest(world.acme, [row])
    [(lead_id,)] = world.owner(
        "SELECT id FROM leads WHERE batch_id = %s ORDER BY record_number DESC LIMIT 1",
        [outcome.batch.id],
    )
    return UUID(str(lead_id))


async def journey(world: World, lead_id: UUID) -> list[dict[str, Any]]:
    response = await world.client.get(f"/api/leads/{lead_id}", headers=world.acme.auth())
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["journey"]
    return entries


async def test_prospect_created_links_the_lead_by_external_id_and_starts_its_journey(
    world: World,
) -> None:
    lead_id = await acme_lead(world)

    response = await world.post_event(
        world.acme, prospect_event(external_id=str(lead_id), phone=None, email=None)
    )

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "applied"
    assert response.json()["repeat"] is False
    entries = await journey(world, lead_id)
    assert [(e["kind"], e["value"]) for e in entries] == [
        ("linked", "external_id"),
        ("status", "new"),
        ("assignment", "101"),
        ("dnc", "false"),
    ]
    assert all(e["bonzo_prospect_id"] == 501 for e in entries)


async def test_repeated_event_is_stored_once_and_answered_with_the_first_receipt(
    world: World,
) -> None:
    lead_id = await acme_lead(world)
    body = prospect_event(external_id=str(lead_id))

    first = await world.post_event(world.acme, body)
    second = await world.post_event(world.acme, body)

    assert first.status_code == second.status_code == 200
    assert second.json() == {**first.json(), "repeat": True}
    assert world.owner("SELECT count(*), max(repeat_count) FROM prospect_events") == [(1, 1)]
    assert len(await journey(world, lead_id)) == 4


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("acme-lending", "not-the-code-0123456789"),
        ("acme-lending", None),
        ("nobody-here", "acme-lending-event-hook-code-0123456789"),
        ("Not A Slug", "acme-lending-event-hook-code-0123456789"),
        ("acme-lending%00", "acme-lending-event-hook-code-0123456789"),
    ],
    ids=["wrong-code", "no-code", "unknown-tenant", "malformed-slug", "nul-in-slug"],
)
async def test_event_without_the_tenants_code_is_refused_and_not_stored(
    world: World, slug: str, code: str | None
) -> None:
    headers = {"content-type": "application/json"} | (
        {} if code is None else {"x-bonzo-code": code}
    )

    response = await world.client.post(
        f"/bonzo/events/{slug}", json=prospect_event(), headers=headers
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:leadgate:problem:bonzo-code-rejected"
    assert world.owner("SELECT count(*) FROM prospect_events") == [(0,)]


async def test_another_tenants_code_is_refused(world: World) -> None:
    response = await world.post_event(world.acme, prospect_event(), code=world.beta.bonzo_code)

    assert response.status_code == 401


async def test_tenant_without_a_code_refuses_every_event(world: World) -> None:
    world.owner("DELETE FROM bonzo_event_hooks WHERE tenant_id = %s", [world.acme.id])

    response = await world.post_event(world.acme, prospect_event())

    assert response.status_code == 401


async def test_unknown_event_is_stored_and_ignored(world: World) -> None:
    response = await world.post_event(world.acme, {"event": "tasks.completed", "task": {"id": 9}})

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    [(event, outcome, body)] = world.owner("SELECT event, outcome, body::text FROM prospect_events")
    assert (event, outcome) == ("tasks.completed", "ignored")
    assert body == '{"event":"tasks.completed","task":{"id":9}}'


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"prospects.created"',
        b'{"event": "prospects.created", "prospect": {"first_name": "\xff"}}',
        b"\xef\xbb\xbf{}",
    ],
    ids=["empty", "not-json", "array", "string", "invalid-utf8", "bom"],
)
async def test_body_that_is_not_a_json_object_is_a_400(world: World, body: bytes) -> None:
    response = await world.post_event(world.acme, body)

    assert response.status_code == 400
    assert response.json()["type"] == "urn:leadgate:problem:invalid-event"
    assert world.owner("SELECT count(*) FROM prospect_events") == [(0,)]


async def test_oversize_body_is_a_413(world: World) -> None:
    body = prospect_event(notes="x" * (600 * 1024))

    response = await world.post_event(world.acme, body)

    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        {
            "event": "prospects.updated",
            "prospect": {"id": "501", "updated_at": "yesterday"},
            "additional": [],
        },
        {
            "event": "prospects.updated",
            "prospect": {"id": 501, "status": {"weird": True}, "dnc": "maybe"},
        },
        {
            "event": "prospects.updated",
            "prospect": {"id": 501, "status": "new\u0000line", "campaigns": []},
        },
        {"event": "prospects.updated", "prospect": []},
        {"event": ["prospects.updated"], "prospect": {"id": 1}},
        {
            "event": "messages.outgoing.updated",
            "prospect": {"id": 501},
            "additional": {"message": "sent"},
        },
        {"event": "prospects.created", "prospect": {"id": 2**70}},
        {
            "event": "prospects.updated",
            "prospect": {"id": -1, "last_contact": "9999-12-31T23:59:59-14:00"},
        },
        {},
    ],
    ids=[
        "id-as-string-bad-time-php-empty-map",
        "wrong-types",
        "nul-escape",
        "prospect-is-a-list",
        "event-is-a-list",
        "message-is-a-string",
        "id-beyond-bigint",
        "negative-id-far-future",
        "empty-object",
    ],
)
async def test_odd_json_objects_are_stored_and_answered_200(
    world: World, body: dict[str, Any]
) -> None:
    response = await world.post_event(world.acme, body)

    assert response.status_code == 200, response.text
    assert response.json()["outcome"] in {"ignored", "unlinked"}
    assert world.owner("SELECT count(*) FROM prospect_events") == [(1,)]


async def test_prospect_without_external_id_is_linked_by_phone(world: World) -> None:
    lead_id = await acme_lead(world)

    response = await world.post_event(world.acme, prospect_event(email=None))

    assert response.json()["outcome"] == "applied"
    assert (await journey(world, lead_id))[0]["value"] == "phone"


async def test_prospect_is_linked_by_email_when_phone_does_not_match(world: World) -> None:
    lead_id = await acme_lead(world)

    response = await world.post_event(
        world.acme, prospect_event(phone="+15559990000", email="Mary.Major@Example.com")
    )

    assert response.json()["outcome"] == "applied"
    assert (await journey(world, lead_id))[0]["value"] == "email"


async def test_prospect_matching_no_lead_is_stored_unlinked(world: World) -> None:
    await acme_lead(world)

    response = await world.post_event(
        world.acme, prospect_event(phone="+15559990000", email="other@example.com")
    )

    assert response.json()["outcome"] == "unlinked"
    assert world.owner("SELECT count(*) FROM bonzo_prospects") == [(0,)]


async def test_another_tenants_lead_is_never_linked(world: World) -> None:
    outcome = await world.ingest(
        world.beta, ["LS-1,Mary,Major,mary.major@example.com,555-234-0101,MA"]
    )
    [(beta_lead,)] = world.owner("SELECT id FROM leads WHERE batch_id = %s", [outcome.batch.id])

    response = await world.post_event(world.acme, prospect_event(external_id=str(beta_lead)))

    assert response.json()["outcome"] == "unlinked"


async def test_updates_append_each_change_to_the_journey(world: World) -> None:
    lead_id = await acme_lead(world)
    await world.post_event(world.acme, prospect_event(external_id=str(lead_id)))

    await world.post_event(
        world.acme,
        prospect_event(
            "prospects.updated",
            external_id=str(lead_id),
            status="contacted",
            pipeline_stage={"id": 7, "name": "Application"},
            assigned_to=102,
            dnc=True,
            opt_outs=["sms"],
            updated_at="2026-03-09T15:00:00Z",
        ),
    )

    changes = [(e["kind"], e["previous"], e["value"]) for e in await journey(world, lead_id)][4:]
    assert changes == [
        ("status", "new", "contacted"),
        ("pipeline_stage", None, "Application"),
        ("assignment", "101", "102"),
        ("dnc", "false", "true"),
        ("opt_outs", None, '["sms"]'),
    ]
    detail = (await world.client.get(f"/api/leads/{lead_id}", headers=world.acme.auth())).json()
    [prospect] = detail["prospects"]
    assert (prospect["status"], prospect["pipeline_stage"], prospect["dnc"]) == (
        "contacted",
        "Application",
        True,
    )


async def test_older_snapshot_arriving_late_does_not_roll_the_state_back(world: World) -> None:
    lead_id = await acme_lead(world)
    await world.post_event(world.acme, prospect_event(external_id=str(lead_id)))
    await world.post_event(
        world.acme,
        prospect_event(
            "prospects.updated", status="application", updated_at="2026-03-09T16:00:00Z"
        ),
    )

    late = await world.post_event(
        world.acme,
        prospect_event("prospects.updated", status="contacted", updated_at="2026-03-09T15:00:00Z"),
    )

    assert late.json()["outcome"] == "stale"
    detail = (await world.client.get(f"/api/leads/{lead_id}", headers=world.acme.auth())).json()
    assert detail["prospects"][0]["status"] == "application"


def message_event(
    status: str, *, message_id: int = 1, channel: str = "sms", at: str = "2099-01-01T00:00:00Z"
) -> dict[str, Any]:
    return prospect_event(
        "messages.outgoing.updated",
        additional={
            "message": {"id": message_id, "type": channel, "status": status, "created_at": at}
        },
    )


async def test_failed_sms_marks_the_phone_bad_and_bounced_email_the_email(world: World) -> None:
    lead_id = await acme_lead(world)

    await world.post_event(world.acme, message_event("undeliverable", message_id=1))
    await world.post_event(world.acme, message_event("failed", message_id=2))
    await world.post_event(world.acme, message_event("bounced", message_id=3, channel="email"))

    entries = await journey(world, lead_id)
    attempts = [
        (e["channel"], e["value"], e["message_id"])
        for e in entries
        if e["kind"] == "contact_attempt"
    ]
    assert attempts == [
        ("sms", "undeliverable", "1"),
        ("sms", "failed", "2"),
        ("email", "bounced", "3"),
    ]
    assert [e["kind"] for e in entries if e["kind"].startswith("bad_")] == [
        "bad_phone",
        "bad_email",
    ]
    detail = (await world.client.get(f"/api/leads/{lead_id}", headers=world.acme.auth())).json()
    assert (detail["prospects"][0]["bad_phone"], detail["prospects"][0]["bad_email"]) == (
        True,
        True,
    )
    assert detail["first_contact_at"] is None


async def test_first_outbound_contact_sets_first_contact_and_the_earliest_one_wins(
    world: World,
) -> None:
    lead_id = await acme_lead(world)
    [(received_at,)] = world.owner("SELECT received_at FROM leads WHERE id = %s", [lead_id])

    def first_contact() -> Any:
        return world.owner("SELECT first_contact_at FROM leads WHERE id = %s", [lead_id])[0][0]

    await world.post_event(
        world.acme, message_event("sent", message_id=1, at="2099-01-01T00:00:00Z")
    )
    after_late_contact = first_contact()
    await world.post_event(
        world.acme,
        message_event("sent", message_id=2, at=(received_at + timedelta(minutes=1)).isoformat()),
    )
    after_earlier_contact = first_contact()
    await world.post_event(
        world.acme, message_event("sent", message_id=3, at="2020-01-01T00:00:00Z")
    )
    after_contact_long_before_the_lead = first_contact()
    await world.post_event(
        world.acme,
        message_event("sent", message_id=4, at=(received_at - timedelta(seconds=30)).isoformat()),
    )

    assert after_late_contact == datetime(2099, 1, 1, tzinfo=UTC)
    assert after_earlier_contact == received_at + timedelta(minutes=1)
    assert after_contact_long_before_the_lead == received_at + timedelta(minutes=1)
    assert first_contact() == received_at  # within the clock-skew allowance: the arrival time


async def test_message_repeats_are_idempotent_but_status_changes_are_new_events(
    world: World,
) -> None:
    lead_id = await acme_lead(world)

    answers = [
        (await world.post_event(world.acme, message_event(status, message_id=1))).json()["repeat"]
        for status in ("sent", "sent", "undeliverable")
    ]

    assert answers == [False, True, False]
    kinds = [e["kind"] for e in await journey(world, lead_id)]
    assert kinds.count("contact_attempt") == 2
