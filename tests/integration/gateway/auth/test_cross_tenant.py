"""No id in a URL or body reaches another tenant: a person or key of one tenant cannot see,
revoke or open another tenant's links, pages or data through any endpoint added here."""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx

from tests.integration.gateway.auth.conftest import AuthGateway


async def _create_as(gateway: AuthGateway, browser: httpx.AsyncClient, page: str = "/") -> Any:
    answer = await browser.post(
        "/api/links",
        json={"page": page},
        headers={"x-csrf-token": await gateway.csrf_token(browser)},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_admin_cannot_revoke_another_tenants_link_by_id(gateway: AuthGateway) -> None:
    globex = await gateway.signed_in("globex", "admin@globex.example")
    theirs = await _create_as(gateway, globex)
    acme = await gateway.signed_in("acme", "admin@acme.example")

    answer = await acme.post(
        f"/api/links/{theirs['link']['id']}/revoke",
        headers={"x-csrf-token": await gateway.csrf_token(acme)},
    )

    assert answer.status_code == 404
    listing = await globex.get("/api/links")
    assert [(link["id"], link["status"]) for link in listing.json()] == [
        (theirs["link"]["id"], "active")
    ]


async def test_api_key_cannot_revoke_another_tenants_link_by_id(gateway: AuthGateway) -> None:
    acme = await gateway.signed_in("acme", "admin@acme.example")
    theirs = await _create_as(gateway, acme)

    answer = await gateway.browser().post(
        f"/api/links/{theirs['link']['id']}/revoke",
        headers={"authorization": f"Bearer {gateway.initech_admin_key}"},
    )

    assert answer.status_code == 404
    assert (await acme.get("/api/links")).json()[0]["status"] == "active"


async def test_link_listing_shows_only_the_callers_tenant(gateway: AuthGateway) -> None:
    acme = await gateway.signed_in("acme", "admin@acme.example")
    globex = await gateway.signed_in("globex", "admin@globex.example")
    ours = await _create_as(gateway, acme)
    await _create_as(gateway, globex)

    acme_ids = [link["id"] for link in (await acme.get("/api/links")).json()]
    initech = await gateway.browser().get(
        "/api/links", headers={"authorization": f"Bearer {gateway.initech_admin_key}"}
    )

    assert acme_ids == [ours["link"]["id"]]
    assert initech.json() == []


async def test_link_is_created_for_the_callers_tenant_whatever_the_body_says(
    gateway: AuthGateway,
) -> None:
    acme = await gateway.signed_in("acme", "admin@acme.example")

    smuggled = await acme.post(
        "/api/links",
        json={"page": "/", "tenant": "globex"},
        headers={"x-csrf-token": await gateway.csrf_token(acme)},
    )
    created = await _create_as(gateway, acme)

    assert smuggled.status_code == 400
    opened = await gateway.browser().get(_path_of(created["url"]))
    assert opened.headers["location"].startswith("/t/acme/login")


async def test_user_of_one_tenant_is_sent_to_sign_in_for_another_tenants_link(
    gateway: AuthGateway,
) -> None:
    globex = await gateway.signed_in("globex", "admin@globex.example")
    theirs = await _create_as(gateway, globex)
    acme = await gateway.signed_in("acme", "viewer@acme.example")

    answer = await acme.get(_path_of(theirs["url"]))

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/t/globex/login")


async def test_token_link_of_another_tenant_shows_only_that_page_read_only(
    gateway: AuthGateway,
) -> None:
    initech = (
        await gateway.browser().post(
            "/api/links",
            json={"page": "/"},
            headers={"authorization": f"Bearer {gateway.initech_admin_key}"},
        )
    ).json()
    acme = await gateway.signed_in("acme", "viewer@acme.example")

    page = await acme.get(_path_of(initech["url"]))

    assert page.status_code == 200
    assert "Initech" in page.text
    assert "viewer@acme.example" not in page.text
    assert "Sign out" not in page.text
    # The person's own session is untouched and still theirs.
    assert '<h1 id="home-heading">Acme</h1>' in (await acme.get("/")).text


async def test_home_page_shows_only_the_signed_in_tenant(gateway: AuthGateway) -> None:
    acme = await gateway.signed_in("acme", "viewer@acme.example")
    globex = await gateway.signed_in("globex", "admin@globex.example")

    acme_home = (await acme.get("/")).text
    globex_home = (await globex.get("/")).text

    assert "Acme" in acme_home
    assert "Globex" not in acme_home
    assert "Globex" in globex_home
    assert "Acme" not in globex_home


async def test_person_of_one_tenant_cannot_sign_in_to_another(
    gateway: AuthGateway,
) -> None:
    acme = await gateway.signed_in("acme", "admin@acme.example")

    answer = await gateway.sign_in(acme, slug="globex", email="admin@acme.example")

    assert answer.status_code == 403
    assert "Email domain not allowed" in answer.text
    assert '<h1 id="home-heading">Acme</h1>' in (await acme.get("/")).text


async def test_api_key_decides_the_tenant_even_with_another_tenants_session(
    gateway: AuthGateway,
) -> None:
    acme = await gateway.signed_in("acme", "admin@acme.example")
    await _create_as(gateway, acme)

    listing = await acme.get(
        "/api/links", headers={"authorization": f"Bearer {gateway.initech_admin_key}"}
    )

    assert listing.status_code == 200
    assert listing.json() == []
