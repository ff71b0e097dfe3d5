"""Resource links: signed, expiring, revocable, read-only grants to one page; every
refusal audited, in the tenant's log when the token is authentic, else in the registry."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tenant_auth.audit.service import list_events
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import InvalidInput, LinkNotFound, LinkRejected, LinkRejection
from tenant_auth.links.schemas import IssuedLink
from tenant_auth.links.service import create_link, list_links, revoke_link, verify_link
from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import Tenant, TenantStatus
from tenant_auth.registry.service import (
    configure_oidc,
    list_security_events,
    register_tenant,
    set_tenant_status,
)

PAGE = "/dashboards/sla"


async def _issue(registry: Registry, tenant: Tenant, *, hours: int = 24) -> IssuedLink:
    return await create_link(
        registry,
        tenant,
        page=PAGE,
        expires_at=utc_now() + timedelta(hours=hours),
        actor="cli:test",
    )


async def _last_rejection(registry: Registry, tenant: Tenant) -> dict[str, object]:
    event = (await list_events(await registry.database(tenant)))[0]
    assert (event.action, event.outcome, event.actor) == ("link.rejected", "failure", "anonymous")
    return dict(event.detail)


async def test_link_grants_read_access_to_its_page_of_its_tenant(
    registry: Registry, tenant: Tenant
) -> None:
    issued = await _issue(registry, tenant)

    grant = await verify_link(registry, issued.token.reveal(), page=PAGE)

    assert (grant.tenant_slug, grant.tenant_id, grant.page, grant.link_id) == (
        "acme",
        tenant.tenant_id,
        PAGE,
        issued.link.id,
    )
    assert issued.path == f"{PAGE}?link={issued.token.reveal()}"
    assert issued.token.reveal() not in repr(issued)
    assert [link.id for link in await list_links(await registry.database(tenant))] == [
        issued.link.id
    ]


async def test_tampered_token_is_refused_and_recorded_in_the_registry(
    registry: Registry, tenant: Tenant
) -> None:
    issued = await _issue(registry, tenant)
    key_id, claims, signature = issued.token.reveal().split(".")
    forged = f"{key_id}.{claims[:-2]}xx.{signature}"

    with pytest.raises(LinkRejected) as raised:
        await verify_link(registry, forged, page=PAGE)

    assert raised.value.reason is LinkRejection.TAMPERED
    [event] = await list_security_events(registry)
    assert (event.action, event.reason) == ("link.rejected", "tampered")
    assert [e.action for e in await list_events(await registry.database(tenant))] == [
        "link.created"
    ]


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c.d", "0000.e30.AAAA"])
async def test_garbage_token_is_refused(registry: Registry, token: str) -> None:
    with pytest.raises(LinkRejected) as raised:
        await verify_link(registry, token, page=PAGE)
    assert raised.value.reason in {LinkRejection.MALFORMED, LinkRejection.TAMPERED}


async def test_expired_link_is_refused_and_audited(registry: Registry, tenant: Tenant) -> None:
    issued = await _issue(registry, tenant, hours=1)

    with pytest.raises(LinkRejected) as raised:
        await verify_link(
            registry, issued.token.reveal(), page=PAGE, now=utc_now() + timedelta(hours=2)
        )

    assert raised.value.reason is LinkRejection.EXPIRED
    assert (await _last_rejection(registry, tenant))["reason"] == "expired"


async def test_revoked_link_is_refused_and_audited(registry: Registry, tenant: Tenant) -> None:
    issued = await _issue(registry, tenant)
    revoked = await revoke_link(registry, tenant, link_id=issued.link.id, actor="cli:test")

    with pytest.raises(LinkRejected) as raised:
        await verify_link(registry, issued.token.reveal(), page=PAGE)

    assert revoked.revoked_at is not None
    assert raised.value.reason is LinkRejection.REVOKED
    assert (await _last_rejection(registry, tenant))["reason"] == "revoked"


async def test_link_does_not_open_another_page(registry: Registry, tenant: Tenant) -> None:
    issued = await _issue(registry, tenant)
    with pytest.raises(LinkRejected) as raised:
        await verify_link(registry, issued.token.reveal(), page="/dashboards/executive")
    assert raised.value.reason is LinkRejection.WRONG_PAGE
    assert (await _last_rejection(registry, tenant))["page"] == "/dashboards/executive"


async def test_token_links_stop_once_the_tenant_signs_in_with_oidc(
    registry: Registry, tenant: Tenant
) -> None:
    issued = await _issue(registry, tenant)
    await configure_oidc(
        registry,
        "acme",
        issuer="https://login.example.com",
        client_id="leadgate",
        client_secret="client-secret",
        actor="cli:test",
    )
    with pytest.raises(LinkRejected) as raised:
        await verify_link(registry, issued.token.reveal(), page=PAGE)
    assert raised.value.reason is LinkRejection.SIGN_IN_REQUIRED


async def test_links_of_a_suspended_tenant_are_refused(registry: Registry, tenant: Tenant) -> None:
    issued = await _issue(registry, tenant)
    await set_tenant_status(registry, "acme", TenantStatus.SUSPENDED)
    with pytest.raises(LinkRejected) as raised:
        await verify_link(registry, issued.token.reveal(), page=PAGE)
    assert raised.value.reason is LinkRejection.TENANT_INACTIVE


async def test_another_tenant_cannot_revoke_or_list_a_link(
    registry: Registry, tenant: Tenant
) -> None:
    beta = await register_tenant(registry, slug="beta", tenant_id=uuid.uuid4())
    issued = await _issue(registry, tenant)

    with pytest.raises(LinkNotFound):
        await revoke_link(registry, beta, link_id=issued.link.id, actor="cli:test")
    assert await list_links(await registry.database(beta)) == []
    await verify_link(registry, issued.token.reveal(), page=PAGE)


@pytest.mark.parametrize(
    "page",
    [
        "dashboards",
        "//evil.example.com/x",
        "/a/../admin",
        "/a?b=c",
        "/a#b",
        "/a b",
        "https://x.example.com/",
    ],
)
async def test_link_page_must_be_a_plain_local_path(
    registry: Registry, tenant: Tenant, page: str
) -> None:
    with pytest.raises(InvalidInput):
        await create_link(
            registry, tenant, page=page, expires_at=utc_now() + timedelta(hours=1), actor="cli"
        )


@pytest.mark.parametrize("delta", [timedelta(hours=-1), timedelta(days=91)])
async def test_link_expiry_must_be_within_ninety_days(
    registry: Registry, tenant: Tenant, delta: timedelta
) -> None:
    with pytest.raises(InvalidInput):
        await create_link(registry, tenant, page=PAGE, expires_at=utc_now() + delta, actor="cli")
