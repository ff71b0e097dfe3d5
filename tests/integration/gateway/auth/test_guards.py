"""The guards and dependencies other features build on, exercised through probe routes:
``require_scope`` accepts API keys and people whose role grants the scope,
``require_role`` only people with one of the roles, ``current_user`` only people and
``current_tenant`` whoever is calling."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Request, get, post
from litestar.di import NamedDependency

from gateway.auth.principal import principal_of, require_role, require_scope
from tenant_auth.core.libsql import Statement
from tenant_auth.registry.schemas import Tenant
from tenant_auth.users.schemas import User
from tests.integration.gateway.auth.conftest import AuthGateway


@get("/probe/read", guards=[require_scope("read")])
async def probe_read(
    request: Request[Any, Any, Any], current_tenant: NamedDependency[Tenant]
) -> dict[str, Any]:
    principal = principal_of(request)
    return {
        "kind": principal.kind,
        "tenant": current_tenant.slug,
        "scopes": sorted(principal.scopes),
    }


@post("/probe/ingest", guards=[require_scope("ingest")], status_code=200)
async def probe_ingest(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return {"kind": principal_of(request).kind}


@get("/probe/admins", guards=[require_role("owner", "admin")])
async def probe_admins(current_user: NamedDependency[User]) -> dict[str, Any]:
    return {"email": current_user.email, "role": current_user.role.value}


@get("/probe/me")
async def probe_me(current_user: NamedDependency[User]) -> dict[str, Any]:
    return {"email": current_user.email}


@pytest.fixture
def extra_routes() -> list[Any]:
    return [probe_read, probe_ingest, probe_admins, probe_me]


@pytest.mark.parametrize(
    ("email", "read", "ingest", "admins"),
    [
        ("viewer@acme.example", 200, 403, 403),
        ("manager@acme.example", 200, 200, 403),
        ("admin@acme.example", 200, 200, 200),
        ("owner@acme.example", 200, 200, 200),
    ],
)
async def test_role_grants_its_scopes(
    gateway: AuthGateway, email: str, read: int, ingest: int, admins: int
) -> None:
    browser = await gateway.signed_in("acme", email)
    token = await gateway.csrf_token(browser)

    reading = await browser.get("/probe/read")
    ingesting = await browser.post("/probe/ingest", headers={"x-csrf-token": token})
    administering = await browser.get("/probe/admins")

    assert (reading.status_code, ingesting.status_code, administering.status_code) == (
        read,
        ingest,
        admins,
    )
    assert reading.json()["kind"] == "user"
    assert reading.json()["tenant"] == "acme"


async def test_session_caller_of_an_unsafe_scoped_endpoint_needs_the_csrf_token(
    gateway: AuthGateway,
) -> None:
    browser = await gateway.signed_in("acme", "manager@acme.example")

    answer = await browser.post("/probe/ingest")

    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:leadgate:problem:csrf"


async def test_api_key_passes_scope_guard_for_its_own_tenant(gateway: AuthGateway) -> None:
    answer = await gateway.browser().get(
        "/probe/read", headers={"authorization": f"Bearer {gateway.initech_admin_key}"}
    )

    assert answer.status_code == 403  # an admin-only key has no 'read' scope
    assert "does not have the 'read' scope" in answer.json()["detail"]


async def test_api_key_never_passes_a_role_guard(gateway: AuthGateway) -> None:
    answer = await gateway.browser().get(
        "/probe/admins", headers={"authorization": f"Bearer {gateway.initech_admin_key}"}
    )

    assert answer.status_code == 401


async def test_current_user_is_the_signed_in_person(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "viewer@acme.example")

    answer = await browser.get("/probe/me")

    assert answer.json() == {"email": "viewer@acme.example"}


async def test_current_user_requires_a_signed_in_person(gateway: AuthGateway) -> None:
    anonymous = await gateway.browser().get("/probe/me")

    assert anonymous.status_code == 401


async def test_invalid_api_key_is_refused_even_with_a_valid_session(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "admin@acme.example")

    answer = await browser.get("/probe/read", headers={"authorization": "Bearer lg_not_a_key"})

    assert answer.status_code == 401


async def test_role_change_takes_effect_on_the_next_request(gateway: AuthGateway) -> None:
    browser = await gateway.signed_in("acme", "admin@acme.example")
    assert (await browser.get("/probe/admins")).status_code == 200
    db = await gateway.tenant_db("acme")

    # tenant_auth has no role-change command yet; change the row as one would.
    await db.write(
        Statement(
            "UPDATE user_account SET role = 'viewer' WHERE email = :email",
            {"email": "admin@acme.example"},
        )
    )

    assert (await browser.get("/probe/admins")).status_code == 403
