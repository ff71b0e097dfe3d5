"""Signing in through a real OIDC provider: the happy path, choosing the tenant, who is
refused, where the browser goes afterwards, session rotation, signing out."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tenant_auth.audit.service import list_events
from tenant_auth.registry.schemas import TenantStatus
from tenant_auth.registry.service import set_tenant_status
from tenant_auth.users.service import deactivate_user, list_users
from tests.integration.gateway.auth.conftest import ACME_USERS, AuthGateway


async def test_invited_user_signs_in_and_lands_on_their_tenant(gateway: AuthGateway) -> None:
    browser = gateway.browser()

    answer = await gateway.sign_in(browser, slug="acme", email="admin@acme.example")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    home = await browser.get("/")
    assert home.status_code == 200
    assert '<h1 id="home-heading">Acme</h1>' in home.text
    assert "admin@acme.example" in home.text
    assert "<dd>admin</dd>" in home.text
    assert "Sign out" in home.text


async def test_authorization_request_uses_pkce_state_and_nonce(gateway: AuthGateway) -> None:
    browser = gateway.browser()

    started = await browser.get("/t/acme/login")

    location = urllib.parse.urlsplit(started.headers["location"])
    params = dict(urllib.parse.parse_qsl(location.query))
    assert f"{location.scheme}://{location.netloc}" == gateway.provider.issuer
    assert params["response_type"] == "code"
    assert params["client_id"] == gateway.clients["acme"].client_id
    assert params["redirect_uri"] == gateway.callback_url
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 43
    assert len(params["nonce"]) >= 43
    assert "openid" in params["scope"].split()


async def test_first_sign_in_links_the_identity_and_later_ones_reuse_it(
    gateway: AuthGateway,
) -> None:
    await gateway.signed_in("acme", "viewer@acme.example")
    await gateway.signed_in("acme", "viewer@acme.example")

    events = await list_events(await gateway.tenant_db("acme"))
    linked = [e for e in events if e.action == "user.identity_linked"]
    sign_ins = [e for e in events if e.action == "sign_in" and e.outcome == "success"]
    assert len(linked) == 1
    assert linked[0].detail["issuer"] == gateway.provider.issuer
    assert len(sign_ins) == 2


async def test_uninvited_person_is_refused_and_gets_no_account(gateway: AuthGateway) -> None:
    browser = gateway.browser()

    answer = await gateway.sign_in(browser, slug="acme", email="stranger@acme.example")

    assert answer.status_code == 403
    assert "You have not been invited" in answer.text
    assert "text/html" in answer.headers["content-type"]
    emails = {user.email for user in await list_users(await gateway.tenant_db("acme"))}
    assert emails == set(ACME_USERS)
    assert (await browser.get("/")).status_code == 303
    events = await list_events(await gateway.tenant_db("acme"))
    assert events[0].action == "sign_in"
    assert events[0].outcome == "failure"
    assert events[0].detail["reason"] == "not_invited"


async def test_deactivated_user_is_refused(gateway: AuthGateway) -> None:
    await deactivate_user(
        await gateway.tenant_db("acme"), email="viewer@acme.example", actor="test"
    )
    browser = gateway.browser()

    answer = await gateway.sign_in(browser, slug="acme", email="viewer@acme.example")

    assert answer.status_code == 403
    assert "Access turned off" in answer.text
    assert (await browser.get("/")).status_code == 303


async def test_deactivating_a_signed_in_user_ends_their_session(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "viewer@acme.example")
    assert (await browser.get("/")).status_code == 200

    await deactivate_user(
        await gateway.tenant_db("acme"), email="viewer@acme.example", actor="test"
    )

    answer = await browser.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


async def test_invited_address_outside_the_allowed_domains_is_refused(
    gateway: AuthGateway,
) -> None:
    answer = await gateway.sign_in(
        gateway.browser(), slug="acme", email="partner@elsewhere.example"
    )

    assert answer.status_code == 403
    assert "Email domain not allowed" in answer.text


async def test_address_the_provider_has_not_verified_claims_no_invitation(
    gateway: AuthGateway,
) -> None:
    answer = await gateway.sign_in(gateway.browser(), slug="acme", email="unverified@acme.example")

    assert answer.status_code == 403
    assert "Email address not verified" in answer.text


async def test_login_page_offers_email_and_organization_with_a_csrf_token(
    gateway: AuthGateway,
) -> None:
    browser = gateway.browser()

    page = await browser.get("/login", params={"next": "/dashboards/sla"})

    assert page.status_code == 200
    assert '<label for="email">' in page.text
    assert '<label for="organization">' in page.text
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)
    assert len(token) == 2
    assert token[0] == token[1]
    assert 'name="next" value="/dashboards/sla"' in page.text
    assert gateway.session_id(browser) is not None


async def test_work_email_chooses_the_tenant_that_owns_its_domain(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    token = await gateway.csrf_token(browser)

    started = await browser.post(
        "/login", data={"csrf_token": token, "email": "Owner@Acme.example", "next": "/"}
    )

    assert started.status_code == 303
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(started.headers["location"]).query))
    assert params["client_id"] == gateway.clients["acme"].client_id
    assert params["login_hint"] == "owner@acme.example"
    callback = await gateway.through_provider(
        browser, started.headers["location"], email="owner@acme.example"
    )
    assert (await browser.get(callback)).status_code == 303
    assert "<dd>owner</dd>" in (await browser.get("/")).text


async def test_organization_name_chooses_the_tenant(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    token = await gateway.csrf_token(browser)

    started = await browser.post("/login", data={"csrf_token": token, "organization": "Globex"})

    assert started.status_code == 303
    assert f"client_id={gateway.clients['globex'].client_id}" in started.headers["location"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organization", "no-such-org", "Organization not found"),
        ("email", "someone@unknown.example", "No organization signs in with that email domain"),
        ("email", "not an email", "That is not an email address."),
    ],
)
async def test_unknown_tenant_choice_is_explained(
    gateway: AuthGateway, field: str, value: str, message: str
) -> None:
    browser = gateway.browser()
    token = await gateway.csrf_token(browser)

    answer = await browser.post("/login", data={"csrf_token": token, field: value})

    assert answer.status_code in {404, 422}
    assert message in answer.text


async def test_tenant_without_oidc_cannot_be_signed_in_to(gateway: AuthGateway) -> None:
    answer = await gateway.browser().get("/t/initech/login")

    assert answer.status_code == 409
    assert "Sign-in is not set up yet" in answer.text


async def test_suspended_tenant_cannot_be_signed_in_to(gateway: AuthGateway) -> None:
    await set_tenant_status(gateway.registry, "acme", TenantStatus.SUSPENDED)

    answer = await gateway.browser().get("/t/acme/login")

    assert answer.status_code == 403
    assert "Organization suspended" in answer.text


async def test_sign_in_returns_to_the_local_page_asked_for(gateway: AuthGateway) -> None:
    answer = await gateway.sign_in(
        gateway.browser(),
        slug="acme",
        email="viewer@acme.example",
        next_path="/dashboards/sla?range=7d",
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboards/sla?range=7d"


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "evil.example",
    ],
)
async def test_sign_in_never_redirects_off_site(gateway: AuthGateway, next_path: str) -> None:
    answer = await gateway.sign_in(
        gateway.browser(), slug="acme", email="viewer@acme.example", next_path=next_path
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


async def test_session_id_changes_at_sign_in(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    callback = await gateway.authorize(browser, slug="acme", email="viewer@acme.example")
    before = gateway.session_id(browser)
    assert before is not None

    await browser.get(callback)

    after = gateway.session_id(browser)
    assert after is not None
    assert after != before
    # The pre-login id is gone for good: presenting it again is being signed out.
    planted = gateway.browser()
    planted.cookies.set(gateway.settings.session.cookie_name, before)
    assert (await planted.get("/")).status_code == 303


async def test_sign_out_destroys_the_session(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "viewer@acme.example")
    session_id = gateway.session_id(browser)
    assert session_id is not None
    token = await gateway.csrf_token(browser)

    answer = await browser.post("/logout", data={"csrf_token": token})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert gateway.session_id(browser) is None
    replayed = gateway.browser()
    replayed.cookies.set(gateway.settings.session.cookie_name, session_id)
    assert (await replayed.get("/")).status_code == 303
    events = await list_events(await gateway.tenant_db("acme"))
    assert events[0].action == "sign_out"
