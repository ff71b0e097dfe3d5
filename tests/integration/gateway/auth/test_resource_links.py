"""Resource links: admins create and revoke them; a token link opens exactly its page,
read-only, for a tenant without OIDC; tampered, expired, revoked and misdirected links get
a 403 and are audited; a tenant with OIDC sends link holders to sign in."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import httpx
import pytest

from tenant_auth.audit.service import list_events
from tenant_auth.links.token import LinkClaims, sign_link
from tenant_auth.registry.service import list_security_events
from tests.integration.gateway.auth.conftest import AuthGateway


async def _create(
    gateway: AuthGateway, page: str = "/", *, hours: int = 24, key: str | None = None
) -> dict[str, Any]:
    answer = await gateway.browser().post(
        "/api/links",
        json={"page": page, "expires_in_hours": hours},
        headers={"authorization": f"Bearer {key or gateway.initech_admin_key}"},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _link_rejections(gateway: AuthGateway) -> list[object]:
    events = await list_events(await gateway.tenant_db("initech"))
    return [e.detail["reason"] for e in events if e.action == "link.rejected"]


async def test_admin_creates_a_link_whose_url_opens_the_page(gateway: AuthGateway) -> None:
    created = await _create(gateway)

    assert created["url"].startswith(f"{gateway.url}/?link=")
    assert created["link"]["page"] == "/"
    assert created["link"]["status"] == "active"
    assert created["link"]["created_by"].startswith("api_key:")
    visitor = gateway.browser()
    page = await visitor.get(_path_of(created["url"]))
    assert page.status_code == 200
    assert '<h1 id="home-heading">Initech</h1>' in page.text
    assert "read-only link" in page.text
    assert "Sign out" not in page.text
    assert gateway.session_id(visitor) is None


async def test_link_creation_answer_is_not_cacheable(gateway: AuthGateway) -> None:
    answer = await gateway.browser().post(
        "/api/links",
        json={"page": "/"},
        headers={"authorization": f"Bearer {gateway.initech_admin_key}"},
    )

    assert answer.headers["cache-control"] == "no-store"


async def test_tampered_link_is_refused_and_recorded(gateway: AuthGateway) -> None:
    created = await _create(gateway)
    token = created["url"].split("link=", 1)[1]
    key_id, claims, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    answer = await gateway.browser().get("/", params={"link": f"{key_id}.{claims}.{flipped}"})

    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:leadgate:problem:link-rejected"
    events = await list_security_events(gateway.registry)
    assert events[0].reason == "tampered"


async def test_expired_link_is_refused_and_audited(gateway: AuthGateway) -> None:
    created = await _create(gateway)
    expired = sign_link(
        gateway.registry.keyring,
        LinkClaims(
            tenant_slug="initech",
            link_id=created["link"]["id"],
            page="/",
            expires=int(time.time()) - 60,
        ),
    )

    answer = await gateway.browser().get("/", params={"link": expired})

    assert answer.status_code == 403
    assert await _link_rejections(gateway) == ["expired"]


async def test_revoked_link_stops_working_at_once(gateway: AuthGateway) -> None:
    created = await _create(gateway)
    visitor = gateway.browser()
    assert (await visitor.get(_path_of(created["url"]))).status_code == 200

    revoked = await visitor.post(
        f"/api/links/{created['link']['id']}/revoke",
        headers={"authorization": f"Bearer {gateway.initech_admin_key}"},
    )

    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert (await visitor.get(_path_of(created["url"]))).status_code == 403
    assert await _link_rejections(gateway) == ["revoked"]


async def test_link_opens_only_its_own_page(gateway: AuthGateway) -> None:
    created = await _create(gateway, page="/dashboards/sla")
    token = created["url"].split("link=", 1)[1]

    answer = await gateway.browser().get("/", params={"link": token})

    assert answer.status_code == 403
    assert await _link_rejections(gateway) == ["wrong_page"]


async def test_link_grants_nothing_but_reading_its_page(gateway: AuthGateway) -> None:
    created = await _create(gateway)
    token = created["url"].split("link=", 1)[1]
    visitor = gateway.browser()

    listing = await visitor.get("/api/links", params={"link": token})
    creating = await visitor.post("/api/links", params={"link": token}, json={"page": "/"})

    assert listing.status_code == 401
    assert creating.status_code == 401


async def test_link_of_a_tenant_with_oidc_sends_the_visitor_to_sign_in(
    gateway: AuthGateway,
) -> None:
    admin = await gateway.signed_in("acme", "admin@acme.example")
    created = (
        await admin.post(
            "/api/links",
            json={"page": "/"},
            headers={"x-csrf-token": await gateway.csrf_token(admin)},
        )
    ).json()

    answer = await gateway.browser().get(_path_of(created["url"]))

    assert answer.status_code == 303
    assert answer.headers["location"] == "/t/acme/login?next=%2F"


async def test_link_of_a_tenant_with_oidc_opens_for_its_signed_in_users(
    gateway: AuthGateway,
) -> None:
    admin = await gateway.signed_in("acme", "admin@acme.example")
    created = (
        await admin.post(
            "/api/links",
            json={"page": "/"},
            headers={"x-csrf-token": await gateway.csrf_token(admin)},
        )
    ).json()
    viewer = await gateway.signed_in("acme", "viewer@acme.example")

    page = await viewer.get(_path_of(created["url"]))

    assert page.status_code == 200
    assert "viewer@acme.example" in page.text


async def test_links_are_listed_for_their_tenant_without_tokens(gateway: AuthGateway) -> None:
    first = await _create(gateway, page="/dashboards/sla")
    second = await _create(gateway, page="/")

    listing = await gateway.browser().get(
        "/api/links", headers={"authorization": f"Bearer {gateway.initech_admin_key}"}
    )

    assert listing.status_code == 200
    assert [link["id"] for link in listing.json()] == [
        first["link"]["id"],
        second["link"]["id"],
    ]
    assert "link=" not in listing.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"page": "https://evil.example/"}, 422),
        ({"page": "/../etc"}, 422),
        ({"page": "/", "expires_in_hours": 0}, 422),
        ({"page": "/", "expires_in_hours": 24 * 91}, 422),
        ({"page": "/", "tenant": "acme"}, 400),
    ],
)
async def test_bad_link_requests_are_refused(
    gateway: AuthGateway, body: dict[str, Any], status: int
) -> None:
    answer = await gateway.browser().post(
        "/api/links", json=body, headers={"authorization": f"Bearer {gateway.initech_admin_key}"}
    )

    assert answer.status_code == status


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("owner@acme.example", 201),
        ("admin@acme.example", 201),
        ("manager@acme.example", 403),
        ("viewer@acme.example", 403),
    ],
)
async def test_only_admins_and_owners_create_links(
    gateway: AuthGateway, email: str, status: int
) -> None:
    browser = await gateway.signed_in("acme", email)

    answer = await browser.post(
        "/api/links",
        json={"page": "/"},
        headers={"x-csrf-token": await gateway.csrf_token(browser)},
    )

    assert answer.status_code == status


async def test_link_endpoints_need_a_credential(gateway: AuthGateway) -> None:
    anonymous = gateway.browser()

    answers = [
        await anonymous.get("/api/links"),
        await anonymous.post("/api/links", json={"page": "/"}),
        await anonymous.post("/api/links/aaaaaaaaaaaaaaaa/revoke"),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]


async def test_unknown_link_id_is_not_found(gateway: AuthGateway) -> None:
    client: httpx.AsyncClient = gateway.browser()

    answer = await client.post(
        "/api/links/not-a-link-id/revoke",
        headers={"authorization": f"Bearer {gateway.initech_admin_key}"},
    )

    assert answer.status_code == 404
