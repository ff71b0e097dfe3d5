"""The sandbox's General webhook over real HTTP: accept, merge, reject, record."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.bonzo_sandbox import RunningSandbox

from .sandbox_helpers import OTHER_WEBHOOK_ID, WEBHOOK_ID, StartSandbox, lead_body

HOOK = f"/api/webhook/{WEBHOOK_ID}"


async def _prospects(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/_sandbox/prospects")
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_valid_lead_is_answered_200_without_a_prospect_id(client: httpx.AsyncClient) -> None:
    response = await client.post(HOOK, json=lead_body())

    assert response.status_code == 200
    assert "id" not in response.json()
    assert response.headers["x-bonzo-sandbox"] == "true"
    [prospect] = await _prospects(client)
    assert prospect["phone"] == "+15555550100"
    assert prospect["external_id"] == "lg-1"


async def test_post_with_a_known_phone_updates_that_prospect(client: httpx.AsyncClient) -> None:
    await client.post(HOOK, json=lead_body(email=None, city="Dayton", notes="first"))
    response = await client.post(
        HOOK, json=lead_body(email=None, phone="(555) 555-0100", city="Akron", notes=["second"])
    )

    assert response.status_code == 200
    [prospect] = await _prospects(client)
    assert prospect["city"] == "Akron"
    assert prospect["notes"] == ["first", "second"]


async def test_post_with_a_known_email_updates_that_prospect(client: httpx.AsyncClient) -> None:
    await client.post(HOOK, json=lead_body(phone=None, email="Mary@Example.com"))
    await client.post(HOOK, json=lead_body(phone="5555550177", email="mary@example.com"))

    [prospect] = await _prospects(client)
    assert prospect["phone"] == "+15555550177"
    assert prospect["email"] == "mary@example.com"


async def test_posts_with_different_phone_and_email_create_separate_prospects(
    client: httpx.AsyncClient,
) -> None:
    await client.post(HOOK, json=lead_body())
    await client.post(HOOK, json=lead_body(phone="5555550199", email="other@example.com"))

    assert len(await _prospects(client)) == 2


async def test_update_keeps_values_the_post_does_not_carry(client: httpx.AsyncClient) -> None:
    await client.post(HOOK, json=lead_body(last_name="Keep", loan_amount="250000"))
    await client.post(HOOK, json={"first_name": "Mary", "phone": "5555550100"})

    [prospect] = await _prospects(client)
    assert prospect["last_name"] == "Keep"
    assert prospect["mortgage"] == {"loan_amount": "250000"}


async def test_missing_name_and_contact_answer_422_with_laravel_errors(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(HOOK, json={"last_name": "Example"})

    assert response.status_code == 422
    assert response.json() == {
        "message": "The first name field is required. (and 2 more errors)",
        "errors": {
            "first_name": ["The first name field is required."],
            "email": ["The email field is required when phone is not present."],
            "phone": ["The phone field is required when email is not present."],
        },
    }
    assert await _prospects(client) == []


async def test_blank_first_name_is_missing(client: httpx.AsyncClient) -> None:
    response = await client.post(HOOK, json=lead_body(first_name="   "))

    assert response.status_code == 422
    assert response.json()["message"] == "The first name field is required."


async def test_bad_email_phone_birthday_and_user_are_each_named(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        HOOK,
        json=lead_body(email="mary@", phone="555-0100", birthday="03/09/1980", user_id=999),
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "email": ["The email field must be a valid email address."],
        "phone": ["The phone field must be a valid phone number."],
        "birthday": ["The birthday field must match the format Y-m-d."],
        "user_id": ["The selected user id is invalid."],
    }


async def test_object_where_a_string_belongs_is_a_type_error(client: httpx.AsyncClient) -> None:
    response = await client.post(HOOK, json=lead_body(first_name={"given": "Mary"}))

    assert response.status_code == 422
    assert response.json()["errors"]["first_name"] == ["The first name field must be a string."]


async def test_body_that_is_not_json_reads_as_empty(client: httpx.AsyncClient) -> None:
    response = await client.post(
        HOOK, content=b"first_name=Mary", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert "first_name" in response.json()["errors"]


async def test_known_user_id_assigns_the_prospect(client: httpx.AsyncClient) -> None:
    await client.post(HOOK, json=lead_body(user_id=102))

    [prospect] = await _prospects(client)
    assert prospect["assigned_to"] == 102


async def test_custom_and_mortgage_fields_are_kept_as_strings(client: httpx.AsyncClient) -> None:
    await client.post(
        HOOK,
        json=lead_body(credit_score="EXCELLENT", interest_rate=7.76, custom_Lead_Source="experian"),
    )

    [prospect] = await _prospects(client)
    assert prospect["mortgage"] == {"credit_score": "EXCELLENT", "interest_rate": "7.76"}
    assert prospect["custom_fields"] == {"Lead_Source": "experian"}


async def test_nested_payload_is_accepted_but_not_read(client: httpx.AsyncClient) -> None:
    nested = {
        "contact": {"first_name": "Mary", "phone": "5555550100"},
        "loan": {"amount": 250000},
        "first_name": "Mary",
        "phone": "5555550100",
        "external_id": "lg-nested",
    }

    response = await client.post(HOOK, json=nested)

    assert response.status_code == 200
    received = (await client.get("/_sandbox/received")).json()
    assert received["recent"][0]["ignored_keys"] == ["contact", "loan"]
    [prospect] = await _prospects(client)
    assert prospect["mortgage"] == {}


async def test_unknown_webhook_id_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/api/webhook/{OTHER_WEBHOOK_ID}", json=lead_body())

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found."}
    assert response.headers["x-bonzo-sandbox"] == "true"


async def test_malformed_webhook_id_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/webhook/0123456789ABCDEF0123456789ABCDEF", json=lead_body())

    assert response.status_code == 404


async def test_accept_any_webhook_takes_any_well_formed_id(start_sandbox: StartSandbox) -> None:
    async with (
        start_sandbox(webhooks=(), accept_any_webhook=True) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        accepted = await client.post(f"/api/webhook/{OTHER_WEBHOOK_ID}", json=lead_body())
        malformed = await client.post("/api/webhook/not-a-webhook-id", json=lead_body())
        listed = (await client.get("/_sandbox/webhooks")).json()

    assert accepted.status_code == 200
    assert malformed.status_code == 404
    assert [webhook["id"] for webhook in listed["data"]] == [OTHER_WEBHOOK_ID]


async def test_registered_webhook_accepts_posts_and_sets_source_and_campaign(
    client: httpx.AsyncClient,
) -> None:
    registered = await client.post(
        "/_sandbox/webhooks", json={"name": "Experian triggers", "campaign_id": 202}
    )
    assert registered.status_code == 201

    response = await client.post(registered.json()["path"], json=lead_body())

    assert response.status_code == 200
    [prospect] = await _prospects(client)
    assert prospect["source"] == "Experian triggers"
    assert prospect["campaign_ids"] == [202]


async def test_registering_a_malformed_webhook_id_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/_sandbox/webhooks", json={"id": "XYZ"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:leadgate:problem:invalid-webhook-id"


async def test_received_counts_posts_and_acceptances_per_external_id(
    client: httpx.AsyncClient,
) -> None:
    await client.post(HOOK, json=lead_body(external_id="lg-a"))
    await client.post(HOOK, json=lead_body(external_id="lg-a"))
    await client.post(HOOK, json=lead_body(external_id="lg-b", first_name=None))

    received = (await client.get("/_sandbox/received", params={"recent": 2})).json()

    assert received["total"] == 3
    assert received["by_status"] == {"200": 2, "422": 1}
    assert received["external_ids"] == {
        "lg-a": {"posts": 2, "accepted": 2},
        "lg-b": {"posts": 1, "accepted": 0},
    }
    assert received["duplicates"] == ["lg-a"]
    assert [post["external_id"] for post in received["recent"]] == ["lg-b", "lg-a"]
    assert received["recent"][0]["status"] == 422
    assert received["recent"][0]["webhook_id"] == WEBHOOK_ID


async def test_reset_forgets_prospects_and_posts(client: httpx.AsyncClient) -> None:
    await client.post(HOOK, json=lead_body())

    reset = await client.post("/_sandbox/reset")

    assert reset.status_code == 204
    assert await _prospects(client) == []
    assert (await client.get("/_sandbox/received")).json()["total"] == 0


async def test_home_page_says_it_is_a_sandbox(client: httpx.AsyncClient) -> None:
    response = await client.get("/")

    assert response.status_code == 200
    assert response.json()["name"] == "Bonzo SANDBOX — not Bonzo"
    assert response.headers["x-bonzo-sandbox"] == "true"


async def test_unknown_route_is_a_problem_not_a_stack_trace(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:leadgate:problem:not-found"
    assert response.headers["x-bonzo-sandbox"] == "true"


async def test_sandbox_object_is_reachable_in_process(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(sandbox.webhook_url(WEBHOOK_ID), json=lead_body())

    assert len(sandbox.sandbox.store) == 1
