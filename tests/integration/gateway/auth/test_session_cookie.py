"""The session cookie as deployed over https: ``__Host-`` prefixed, ``Secure``,
``HttpOnly``, ``SameSite=Lax``, host-only, path ``/``; and the pages' security headers."""

from __future__ import annotations

import pytest

from tests.integration.gateway.auth.conftest import AuthGateway


@pytest.fixture
def cookie_secure() -> bool:
    return True


async def test_session_cookie_is_host_prefixed_secure_httponly_and_lax(
    gateway: AuthGateway,
) -> None:
    answer = await gateway.browser().get("/login")

    cookie = answer.headers["set-cookie"]
    name, _, attributes = cookie.partition(";")
    assert name.startswith("__Host-leadgate_session=")
    lowered = [part.strip().lower() for part in attributes.split(";")]
    assert "secure" in lowered
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert not any(part.startswith("domain=") for part in lowered)


async def test_host_prefixed_cookie_is_honoured(gateway: AuthGateway) -> None:
    browser = gateway.browser()
    first = await browser.get("/login")
    session_id = first.headers["set-cookie"].split(";")[0].split("=", 1)[1]

    again = await browser.get("/login", headers={"cookie": f"__Host-leadgate_session={session_id}"})

    # A known session needs no new cookie.
    assert "set-cookie" not in again.headers


async def test_sign_in_pages_cannot_be_framed_or_cached(gateway: AuthGateway) -> None:
    answer = await gateway.browser().get("/login")

    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "same-origin"


async def test_stylesheet_is_served_from_our_origin(gateway: AuthGateway) -> None:
    answer = await gateway.browser().get("/static/leadgate.css")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
