"""Fault injection as a delivery client meets it: statuses, Retry-After, resets, slowness."""

from __future__ import annotations

import httpx
import pytest

from gateway.bonzo_sandbox import FaultPlan, RunningSandbox

from .sandbox_helpers import OTHER_WEBHOOK_ID, WEBHOOK_ID, StartSandbox, eventually, lead_body

HOOK = f"/api/webhook/{WEBHOOK_ID}"


async def _set_faults(client: httpx.AsyncClient, **plan: object) -> None:
    response = await client.put("/_sandbox/faults", json=plan)
    assert response.status_code == 200, response.text


async def _statuses(client: httpx.AsyncClient, posts: int) -> list[int]:
    statuses = []
    for number in range(posts):
        response = await client.post(HOOK, json=lead_body(external_id=f"lg-{number}"))
        statuses.append(response.status_code)
    return statuses


async def test_forced_410_answers_every_post_to_that_webhook(client: httpx.AsyncClient) -> None:
    await _set_faults(client, forced_status={WEBHOOK_ID: 410})

    response = await client.post(HOOK, json=lead_body())

    assert response.status_code == 410
    assert "message" in response.json()
    assert (await client.get("/_sandbox/prospects")).json()["total"] == 0


async def test_forced_404_applies_to_one_webhook_only(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/webhooks", json={"id": OTHER_WEBHOOK_ID})
    await _set_faults(client, forced_status={OTHER_WEBHOOK_ID: 404})

    gone = await client.post(f"/api/webhook/{OTHER_WEBHOOK_ID}", json=lead_body())
    fine = await client.post(HOOK, json=lead_body())

    assert gone.status_code == 404
    assert fine.status_code == 200


async def test_rate_limited_post_is_429_with_retry_after_seconds(
    client: httpx.AsyncClient,
) -> None:
    await _set_faults(client, rate_limit_rate=1.0, retry_after=7)

    response = await client.post(HOOK, json=lead_body())

    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {"message": "Too Many Attempts."}


async def test_seeded_server_errors_hit_a_repeatable_fraction_of_posts(
    client: httpx.AsyncClient,
) -> None:
    await _set_faults(client, fail_rate=0.3, seed=1234)
    first = await _statuses(client, 200)
    await client.post("/_sandbox/reset")  # restarts the generator from its seed
    second = await _statuses(client, 200)

    failures = [status for status in first if status != 200]
    assert first == second
    assert set(failures) <= {500, 502, 503}
    assert 40 <= len(failures) <= 80  # 30 % of 200, far from both edges
    prospects = (await client.get("/_sandbox/prospects")).json()
    assert len(prospects["data"]) == 1  # every accepted post merged into the same prospect


async def test_faulted_posts_are_not_processed(client: httpx.AsyncClient) -> None:
    await _set_faults(client, fail_rate=1.0, seed=1)

    response = await client.post(HOOK, json=lead_body())

    assert response.status_code in {500, 502, 503}
    assert (await client.get("/_sandbox/prospects")).json()["total"] == 0


async def test_reset_fault_is_a_transport_error_without_any_response(
    client: httpx.AsyncClient,
) -> None:
    await _set_faults(client, reset_rate=1.0)

    with pytest.raises(httpx.TransportError) as raised:
        await client.post(HOOK, json=lead_body(external_id="lg-reset"))

    assert isinstance(raised.value, httpx.ReadError | httpx.RemoteProtocolError)
    await _set_faults(client)
    received = (await client.get("/_sandbox/received")).json()
    assert received["by_status"] == {"reset": 1}
    assert received["external_ids"] == {"lg-reset": {"posts": 1, "accepted": 0}}


async def test_slow_answer_times_the_client_out_but_the_lead_is_taken(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    await _set_faults(client, slow_ms=500)

    with pytest.raises(httpx.ReadTimeout):
        await client.post(HOOK, json=lead_body(), timeout=0.05)

    async def taken() -> int | None:
        return len(sandbox.sandbox.store) or None

    assert await eventually(taken) == 1


async def test_faults_given_at_start_apply_from_the_first_post(
    start_sandbox: StartSandbox,
) -> None:
    async with (
        start_sandbox(faults=FaultPlan(rate_limit_rate=1.0, retry_after=3)) as running,
        httpx.AsyncClient() as client,
    ):
        response = await client.post(running.webhook_url(WEBHOOK_ID), json=lead_body())

    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"


@pytest.mark.parametrize(
    ("plan", "complaint"),
    [
        ({"fail_rate": 1.5}, "fail_rate"),
        ({"fail_rate": 0.6, "reset_rate": 0.6}, "must not exceed 1"),
        ({"forced_status": {WEBHOOK_ID: 200}}, "not an error status"),
        ({"forced_status": {"nope": 404}}, "not a webhook id"),
        ({"fail_ratio": 0.1}, "unknown field"),
    ],
)
async def test_invalid_fault_plan_is_refused_as_a_problem(
    client: httpx.AsyncClient, plan: dict[str, object], complaint: str
) -> None:
    response = await client.put("/_sandbox/faults", json=plan)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert complaint in response.json()["detail"]


async def test_fault_plan_body_that_is_not_json_is_a_400_problem(
    client: httpx.AsyncClient,
) -> None:
    response = await client.put("/_sandbox/faults", content=b"{fail_rate: 1")

    assert response.status_code == 400
    assert response.json()["type"] == "urn:leadgate:problem:malformed-json"


async def test_current_fault_plan_can_be_read_back(client: httpx.AsyncClient) -> None:
    await _set_faults(client, slow_ms=20, seed=9)

    plan = (await client.get("/_sandbox/faults")).json()

    assert plan["slow_ms"] == 20
    assert plan["seed"] == 9
    assert plan["fail_rate"] == 0.0
