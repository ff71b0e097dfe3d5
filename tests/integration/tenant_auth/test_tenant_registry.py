"""The registry: registering tenants, their own databases, OIDC settings sealed at rest,
migrating every tenant database, key rotation of sealed secrets."""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from pathlib import Path

import msgspec
import pytest

from tenant_auth.audit.service import list_events
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import (
    InvalidInput,
    SchemaOutdated,
    SecretKeyError,
    TenantAlreadyRegistered,
    TenantNotFound,
)
from tenant_auth.core.libsql import Statement
from tenant_auth.core.settings import AuthSettings
from tenant_auth.registry import repository
from tenant_auth.registry.registry import Registry, open_registry
from tenant_auth.registry.schemas import Tenant, TenantStatus
from tenant_auth.registry.service import (
    configure_oidc,
    get_tenant,
    list_tenants,
    migrate_all_tenants,
    register_tenant,
    reseal_secrets,
    set_tenant_status,
)
from tenant_auth.users.service import add_user, list_users
from tests.support.hrana_server import HranaServer


async def test_registering_a_tenant_creates_and_migrates_its_own_file_database(
    registry: Registry, settings: AuthSettings
) -> None:
    tenant_id = uuid.uuid4()
    tenant = await register_tenant(registry, slug="acme", tenant_id=tenant_id)

    path = settings.data_dir / "tenants" / "acme.db"
    assert tenant.database_url == f"file:{path}"
    assert (tenant.tenant_id, tenant.status, tenant.oidc) == (tenant_id, TenantStatus.ACTIVE, None)
    with sqlite3.connect(path) as raw:
        tables = {
            row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert {"user_account", "oauth_identity", "api_key", "resource_link", "audit_event"} <= tables
    assert await get_tenant(registry, "acme") == tenant


async def test_registering_a_taken_slug_or_postgres_tenant_is_refused(registry: Registry) -> None:
    tenant_id = uuid.uuid4()
    await register_tenant(registry, slug="acme", tenant_id=tenant_id)
    with pytest.raises(TenantAlreadyRegistered):
        await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4())
    with pytest.raises(TenantAlreadyRegistered):
        await register_tenant(registry, slug="other", tenant_id=tenant_id)
    assert [t.slug for t in await list_tenants(registry)] == ["acme"]


@pytest.mark.parametrize("slug", ["", "Acme", "-acme", "acme_co", "a" * 64, "../acme"])
async def test_malformed_slug_is_refused(registry: Registry, slug: str) -> None:
    with pytest.raises(InvalidInput):
        await register_tenant(registry, slug=slug, tenant_id=uuid.uuid4())


async def test_unknown_tenant_is_not_found(registry: Registry) -> None:
    with pytest.raises(TenantNotFound):
        await get_tenant(registry, "nobody")


async def test_oidc_client_secret_is_sealed_at_rest_and_masked_in_repr(
    registry: Registry, tenant: Tenant, settings: AuthSettings
) -> None:
    configured = await configure_oidc(
        registry,
        "acme",
        issuer="https://login.example.com/realms/acme",
        client_id="leadgate",
        client_secret="s3cret-client-value",
        allowed_domains=["Example.com", "@mortgage.example.org", "example.com"],
        actor="cli:test",
    )

    assert configured.oidc is not None
    assert configured.oidc.client_secret.reveal() == "s3cret-client-value"
    assert configured.oidc.allowed_domains == ("example.com", "mortgage.example.org")
    assert "s3cret-client-value" not in repr(configured)
    raw = (settings.data_dir / "registry.db").read_bytes()
    assert b"s3cret-client-value" not in raw
    row = await repository.get_tenant(registry.db, slug="acme")
    assert row is not None
    assert row.oidc_client_secret is not None
    assert row.oidc_client_secret.startswith("v1:")


async def test_configuring_oidc_is_audited_in_the_tenants_log(
    registry: Registry, tenant: Tenant
) -> None:
    await configure_oidc(
        registry,
        "acme",
        issuer="https://login.example.com",
        client_id="leadgate",
        client_secret="s3cret-client-value",
        actor="cli:test",
    )
    [event] = await list_events(await registry.database(tenant))
    assert (event.action, event.actor, event.target) == (
        "tenant.oidc_configured",
        "cli:test",
        "acme",
    )
    assert "s3cret-client-value" not in msgspec.json.encode(event.detail).decode()


@pytest.mark.parametrize(
    "issuer",
    [
        "http://login.example.com",
        "ftp://login.example.com",
        "https://",
        "https://x.example.com/?a=1",
    ],
)
async def test_oidc_issuer_must_be_https(registry: Registry, tenant: Tenant, issuer: str) -> None:
    with pytest.raises(InvalidInput):
        await configure_oidc(
            registry, "acme", issuer=issuer, client_id="c", client_secret="s", actor="cli:test"
        )


async def test_oidc_issuer_on_localhost_may_use_http(registry: Registry, tenant: Tenant) -> None:
    configured = await configure_oidc(
        registry,
        "acme",
        issuer="http://127.0.0.1:8080/realms/dev",
        client_id="c",
        client_secret="s",
        actor="cli:test",
    )
    assert configured.oidc is not None


async def test_each_tenant_has_its_own_database(registry: Registry, tenant: Tenant) -> None:
    other = await register_tenant(registry, slug="beta", tenant_id=uuid.uuid4())
    await add_user(
        await registry.database(tenant), email="ann@example.com", role="admin", actor="cli"
    )

    assert other.database_url != tenant.database_url
    assert await list_users(await registry.database(other)) == []
    assert [u.email for u in await list_users(await registry.database(tenant))] == [
        "ann@example.com"
    ]


async def test_unmigrated_tenant_database_is_refused_until_migrate_all(
    registry: Registry, settings: AuthSettings, tenant: Tenant
) -> None:
    empty = settings.data_dir / "tenants" / "legacy.db"
    await registry.db.write(
        repository.insert_tenant(
            slug="legacy",
            tenant_id=uuid.uuid4(),
            database_url=f"file:{empty}",
            database_token=None,
            database_token_expires_at=None,
            turso_database=None,
            now=utc_now(),
        )
    )
    legacy = await get_tenant(registry, "legacy")
    with pytest.raises(SchemaOutdated):
        await registry.database(legacy)

    outcomes = await migrate_all_tenants(registry)

    assert [(o.slug, o.applied, o.error) for o in outcomes] == [
        ("acme", (), None),
        ("legacy", ("0001_initial",), None),
    ]
    assert await list_users(await registry.database(legacy)) == []
    assert [o.applied for o in await migrate_all_tenants(registry)] == [(), ()]


async def test_suspending_a_tenant_is_recorded(registry: Registry, tenant: Tenant) -> None:
    suspended = await set_tenant_status(registry, "acme", TenantStatus.SUSPENDED)
    assert not suspended.is_active
    assert (await set_tenant_status(registry, "acme", TenantStatus.ACTIVE)).is_active


async def test_malformed_secret_key_fails_clearly_without_echoing_it(tmp_path: Path) -> None:
    bad = AuthSettings(
        data_dir=tmp_path,
        registry_url=f"file:{tmp_path / 'registry.db'}",
        registry_token=None,
        secret_key="too-short-key",
    )
    with pytest.raises(SecretKeyError) as raised:
        async with open_registry(bad):
            pass
    assert "too-short-key" not in str(raised.value)
    assert "32" in str(raised.value)


async def test_half_configured_turso_settings_are_refused(settings: AuthSettings) -> None:
    with pytest.raises(InvalidInput):
        async with open_registry(msgspec.structs.replace(settings, turso_org="example-org")):
            pass


async def test_reseal_moves_secrets_to_the_new_key_so_the_old_one_can_go(
    settings: AuthSettings,
) -> None:
    async with open_registry(settings) as registry:
        await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4())
        await configure_oidc(
            registry,
            "acme",
            issuer="https://login.example.com",
            client_id="c",
            client_secret="client-secret-1",
            actor="cli:test",
        )
    new_key = secrets.token_urlsafe(32)
    rotated = msgspec.structs.replace(settings, secret_key=f"{new_key},{settings.secret_key}")
    async with open_registry(rotated) as registry:
        assert await reseal_secrets(registry) == ["acme"]
        assert await reseal_secrets(registry) == []
    only_new = msgspec.structs.replace(settings, secret_key=new_key)
    async with open_registry(only_new) as registry:
        tenant = await get_tenant(registry, "acme")
    assert tenant.oidc is not None
    assert tenant.oidc.client_secret.reveal() == "client-secret-1"


async def test_registry_can_live_in_a_remote_database_reached_with_its_token(
    settings: AuthSettings, hrana: HranaServer
) -> None:
    remote = msgspec.structs.replace(
        settings, registry_url=hrana.url, registry_token="remote-token-1"
    )
    async with open_registry(remote) as registry:
        await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4())
        assert [t.slug for t in await list_tenants(registry)] == ["acme"]
    with sqlite3.connect(hrana.path) as raw:
        assert raw.execute("SELECT slug FROM tenant").fetchall() == [("acme",)]
    assert not (settings.data_dir / "registry.db").exists()


async def test_registry_remembers_tenants_across_restarts(settings: AuthSettings) -> None:
    async with open_registry(settings) as registry:
        registered = await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4())
    async with open_registry(settings) as registry:
        assert await get_tenant(registry, "acme") == registered
        db = await registry.database(registered)
        assert (await db.read(Statement("SELECT count(*) AS n FROM user_account"))).rows == [
            {"n": 0}
        ]
