"""API v3 reads over real HTTP: Bearer auth, prospects with paging and search, users,
campaigns 25 to a page."""

from __future__ import annotations

import httpx
import pytest

from gateway.bonzo_sandbox import SandboxCampaign

from .sandbox_helpers import API_TOKEN, WEBHOOK_ID, StartSandbox, lead_body

HOOK = f"/api/webhook/{WEBHOOK_ID}"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


async def _post_people(client: httpx.AsyncClient, count: int) -> None:
    for number in range(count):
        response = await client.post(
            HOOK,
            json=lead_body(
                first_name=f"Person{number}",
                phone=f"55555501{number:02d}",
                email=f"person{number}@example.com",
                external_id=f"lg-{number}",
            ),
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": API_TOKEN}],
    ids=["missing", "wrong", "not-bearer"],
)
async def test_api_without_the_right_bearer_token_is_401(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/api/v3/prospects", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert response.headers["x-bonzo-sandbox"] == "true"


async def test_api_without_a_configured_token_refuses_everyone(
    start_sandbox: StartSandbox,
) -> None:
    async with (
        start_sandbox(api_token=None) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        response = await client.get("/api/v3/users", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 401


async def test_prospects_are_paged_with_laravel_meta(client: httpx.AsyncClient) -> None:
    await _post_people(client, 5)

    page_two = await client.get(
        "/api/v3/prospects", params={"page": 2, "per_page": 2}, headers=AUTH
    )

    assert page_two.status_code == 200
    body = page_two.json()
    assert [p["first_name"] for p in body["data"]] == ["Person2", "Person3"]
    assert body["meta"]["current_page"] == 2
    assert body["meta"]["last_page"] == 3
    assert body["meta"]["total"] == 5
    assert body["meta"]["from"] == 3
    assert body["meta"]["to"] == 4
    assert body["links"]["next"].endswith("/api/v3/prospects?page=3&per_page=2")


async def test_page_past_the_end_is_empty(client: httpx.AsyncClient) -> None:
    await _post_people(client, 2)

    response = await client.get("/api/v3/prospects", params={"page": 9}, headers=AUTH)

    assert response.json()["data"] == []
    assert response.json()["meta"]["last_page"] == 1


@pytest.mark.parametrize("term", ["person3", "PERSON3@EXAMPLE", "555-555-0103"])
async def test_search_finds_a_prospect_by_name_email_or_phone(
    client: httpx.AsyncClient, term: str
) -> None:
    await _post_people(client, 5)

    response = await client.get("/api/v3/prospects", params={"search": term}, headers=AUTH)

    assert [p["external_id"] for p in response.json()["data"]] == ["lg-3"]


async def test_prospect_resource_has_bonzo_fields(client: httpx.AsyncClient) -> None:
    await client.post(HOOK, json=lead_body(user_id=101, loan_amount="250000"))
    [listed] = (await client.get("/api/v3/prospects", headers=AUTH)).json()["data"]

    response = await client.get(f"/api/v3/prospects/{listed['id']}", headers=AUTH)

    prospect = response.json()["data"]
    assert prospect["full_name"] == "Mary Example"
    assert prospect["phone"] == "+15555550100"
    assert prospect["assigned_to"] == 101
    assert prospect["assigned_user"]["email"] == "avery@example.com"
    assert prospect["mortgage"] == {"loan_amount": "250000"}
    assert prospect["external_id"] == "lg-1"
    assert {"created_at", "updated_at", "campaigns", "tags", "do_not_call"} <= set(prospect)


async def test_unknown_prospect_is_a_laravel_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v3/prospects/424242", headers=AUTH)

    assert response.status_code == 404
    assert response.json() == {"message": "No query results for prospect 424242."}


async def test_users_lists_the_accounts_loan_officers(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v3/users", headers=AUTH)

    assert [user["id"] for user in response.json()["data"]] == [101, 102]


async def test_campaigns_come_25_to_a_page(start_sandbox: StartSandbox) -> None:
    campaigns = tuple(SandboxCampaign(id=300 + n, name=f"Campaign {n}") for n in range(30))
    async with (
        start_sandbox(campaigns=campaigns) as running,
        httpx.AsyncClient(base_url=running.base_url, headers=AUTH) as client,
    ):
        first = (await client.get("/api/v3/campaigns")).json()
        second = (await client.get("/api/v3/campaigns", params={"page": 2})).json()

    assert len(first["data"]) == 25
    assert first["meta"]["last_page"] == 2
    assert first["meta"]["per_page"] == 25
    assert [c["id"] for c in second["data"]] == [325, 326, 327, 328, 329]


async def test_non_numeric_page_is_a_laravel_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v3/prospects", params={"page": "two"}, headers=AUTH)

    assert response.status_code == 422
    assert "message" in response.json()
