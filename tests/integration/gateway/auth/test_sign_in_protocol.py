"""The relying party's checks, each proven against the real provider: a callback must
answer a sign-in this browser started (state), once; a code is redeemed once; the ID token
must be signed by the provider and carry the right issuer, audience, nonce and expiry.
Every refusal leaves the browser signed out and, once the tenant is known, is audited."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any, Literal

import pytest

from tenant_auth.audit.service import list_events
from tests.integration.gateway.auth.conftest import AuthGateway


def _with_params(url: str, **changes: str) -> str:
    parts = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(parts.query))
    params.update(changes)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(params)))


async def _last_refusal_reason(gateway: AuthGateway) -> object:
    events = await list_events(await gateway.tenant_db("acme"))
    refusal = events[0]
    assert (refusal.action, refusal.outcome) == ("sign_in", "failure")
    return refusal.detail["reason"]


async def test_callback_with_another_state_is_refused(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")

    forged = await browser.get(_with_params(callback, state="attacker-chosen-state"))

    assert forged.status_code == 400
    assert "Sign-in expired" in forged.text
    assert (await browser.get("/")).status_code == 303
    # The genuine answer is still accepted: a wrong state consumes nothing.
    assert (await browser.get(callback)).status_code == 303


async def test_callback_without_state_is_refused(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    parts = urllib.parse.urlsplit(callback)
    params = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "state"]

    answer = await browser.get(
        urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(params)))
    )

    assert answer.status_code == 400


async def test_callback_in_a_browser_that_did_not_start_the_sign_in_is_refused(
    gateway: AuthGateway,
) -> None:
    callback = await gateway.authorize(gateway.browser(), slug="acme", email="viewer@acme.example")

    victim = gateway.browser()
    answer = await victim.get(callback)

    assert answer.status_code == 400
    assert gateway.session_id(victim) is None


async def test_replayed_callback_is_refused(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    assert (await browser.get(callback)).status_code == 303

    replayed = await browser.get(callback)

    assert replayed.status_code == 400
    assert "Sign-in expired" in replayed.text


async def test_replayed_code_is_refused_by_the_provider(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    first = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    assert (await browser.get(first)).status_code == 303
    used_code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(first).query))["code"]
    # A fresh sign-in in the same browser, answered with the code already redeemed.
    second = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")

    answer = await browser.get(_with_params(second, code=used_code))

    assert answer.status_code == 400
    assert "could not be verified" in answer.text
    assert await _last_refusal_reason(gateway) == "code_rejected"


async def test_callback_naming_another_issuer_is_refused(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")

    answer = await browser.get(_with_params(callback, iss="https://evil.example"))

    assert answer.status_code == 400
    assert await _last_refusal_reason(gateway) == "authorization_response"


async def test_provider_error_answer_is_refused(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    parts = urllib.parse.urlsplit(callback)
    state = dict(urllib.parse.parse_qsl(parts.query))["state"]

    answer = await browser.get("/auth/callback", params={"error": "access_denied", "state": state})

    assert answer.status_code == 403
    assert "Sign-in cancelled" in answer.text
    assert await _last_refusal_reason(gateway) == "provider_declined"


def _expired() -> dict[str, Any]:
    now = int(time.time())
    return {"iat": now - 7200, "exp": now - 3600}


@pytest.mark.parametrize(
    ("claims", "remove", "sign_with", "reason"),
    [
        pytest.param(
            {"nonce": "not-the-nonce"}, (), "provider", "id_token_nonce", id="wrong-nonce"
        ),
        pytest.param({}, ("nonce",), "provider", "id_token_nonce", id="missing-nonce"),
        pytest.param(
            {"aud": "another-client"}, (), "provider", "id_token_audience", id="wrong-aud"
        ),
        pytest.param(
            {"azp": "another-client"}, (), "provider", "id_token_audience", id="wrong-azp"
        ),
        pytest.param(None, (), "provider", "id_token_expired", id="expired"),
        pytest.param({"iss": "https://evil.example"}, (), "provider", "id_token_issuer", id="iss"),
        pytest.param({}, ("sub",), "provider", "id_token_claims", id="missing-sub"),
        pytest.param({}, (), "foreign", "id_token_signature", id="forged-signature"),
        pytest.param({}, (), "none", "id_token_signature", id="unsigned"),
    ],
)
async def test_id_token_failing_a_check_is_refused(
    gateway: AuthGateway,
    claims: dict[str, Any] | None,
    remove: tuple[str, ...],
    sign_with: Literal["provider", "foreign", "none"],
    reason: str,
) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    await gateway.provider.tamper_next_id_token(
        browser,
        client_id=gateway.clients["acme"].client_id,
        claims=_expired() if claims is None else claims,
        remove=remove,
        sign_with=sign_with,
    )

    answer = await browser.get(callback)

    assert answer.status_code == 400
    assert "could not be verified" in answer.text
    assert (await browser.get("/")).status_code == 303
    assert await _last_refusal_reason(gateway) == reason


async def test_id_token_for_several_audiences_needs_our_azp(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    client_id = gateway.clients["acme"].client_id
    await gateway.provider.tamper_next_id_token(
        browser, client_id=client_id, claims={"aud": [client_id, "another-client"]}
    )

    answer = await browser.get(callback)

    assert answer.status_code == 400
    assert await _last_refusal_reason(gateway) == "id_token_audience"


async def test_id_token_for_several_audiences_with_our_azp_is_accepted(
    gateway: AuthGateway,
) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    client_id = gateway.clients["acme"].client_id
    await gateway.provider.tamper_next_id_token(
        browser,
        client_id=client_id,
        claims={"aud": [client_id, "another-client"], "azp": client_id},
    )

    answer = await browser.get(callback)

    assert answer.status_code == 303
