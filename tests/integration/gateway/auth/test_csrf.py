"""Every state-changing request made with a session needs that session's CSRF token (and,
when the browser names its origin, our origin); API keys need none."""

from __future__ import annotations

from tests.integration.gateway.auth.conftest import AuthGateway


async def test_sign_out_without_csrf_token_is_refused_and_keeps_the_session(
    gateway: AuthGateway,
) -> None:
    browser = await gateway.signed_in("acme", "viewer@acme.example")

    answer = await browser.post("/logout", data={})

    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"] == "urn:leadgate:problem:csrf"
    assert (await browser.get("/")).status_code == 200


async def test_sign_out_with_another_sessions_token_is_refused(gateway: AuthGateway) -> None:
    attacker = await gateway.signed_in("acme", "viewer@acme.example")
    victim = await gateway.signed_in("acme", "admin@acme.example")
    attackers_token = await gateway.csrf_token(attacker)

    answer = await victim.post("/logout", data={"csrf_token": attackers_token})

    assert answer.status_code == 403
    assert (await victim.get("/")).status_code == 200


async def test_sign_in_form_without_csrf_token_is_refused(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    await browser.get("/login")

    answer = await browser.post("/login", data={"organization": "acme"})

    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:leadgate:problem:csrf"


async def test_sign_in_form_posted_without_any_session_is_refused(gateway: AuthGateway) -> None:
    answer = await gateway.browser().post(
        "/login", data={"organization": "acme", "csrf_token": "guessed"}
    )

    assert answer.status_code == 403


async def test_json_call_with_a_session_needs_the_csrf_header(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "admin@acme.example")
    token = await gateway.csrf_token(browser)

    refused = await browser.post("/api/links", json={"page": "/dashboards/sla"})
    accepted = await browser.post(
        "/api/links", json={"page": "/dashboards/sla"}, headers={"x-csrf-token": token}
    )

    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:leadgate:problem:csrf"
    assert accepted.status_code == 201


async def test_cross_origin_request_is_refused_even_with_the_token(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "admin@acme.example")
    token = await gateway.csrf_token(browser)

    answer = await browser.post(
        "/api/links",
        json={"page": "/dashboards/sla"},
        headers={"x-csrf-token": token, "origin": "https://evil.example"},
    )

    assert answer.status_code == 403


async def test_same_origin_request_with_the_token_is_accepted(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "admin@acme.example")
    token = await gateway.csrf_token(browser)

    answer = await browser.post(
        "/api/links",
        json={"page": "/dashboards/sla"},
        headers={"x-csrf-token": token, "origin": gateway.url},
    )

    assert answer.status_code == 201


async def test_api_key_callers_need_no_csrf_token(gateway: AuthGateway) -> None:
    answer = await gateway.browser().post(
        "/api/links",
        json={"page": "/dashboards/sla"},
        headers={"authorization": f"Bearer {gateway.initech_admin_key}"},
    )

    assert answer.status_code == 201
