"""Tenant databases on Turso, against a local Platform API stand-in whose databases are
real Hrana servers: create in a group, mint a token, store it sealed, rotate it."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import httpx
import pytest

from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import InvalidInput, TursoApiError, TursoDatabaseExists
from tenant_auth.core.settings import AuthSettings
from tenant_auth.registry import repository
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import get_tenant, register_tenant, rotate_database_tokens
from tenant_auth.turso.client import TursoPlatform
from tenant_auth.users.service import add_user, list_users
from tests.support.turso_platform import TursoPlatformStandIn


async def test_turso_tenant_gets_a_new_database_a_sealed_token_and_its_schema(
    settings: AuthSettings, turso: TursoPlatform, turso_standin: TursoPlatformStandIn
) -> None:
    async with open_registry(settings, turso=turso) as registry:
        tenant = await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4(), turso=True)
        await add_user(
            await registry.database(tenant), email="ann@example.com", role="owner", actor="cli"
        )
        row = await repository.get_tenant(registry.db, slug="acme")

    remote = turso_standin.databases["leadgate-acme"]
    assert tenant.turso_database == "leadgate-acme"
    assert tenant.database_url == f"http://{remote.hostname}"
    assert tenant.database_token is not None
    assert tenant.database_token.reveal() in remote.tokens
    assert row is not None
    assert row.database_token is not None
    assert tenant.database_token.reveal() not in row.database_token
    assert turso_standin.token_requests == [
        {"database": "leadgate-acme", "expiration": "30d", "authorization": "full-access"}
    ]
    assert tenant.database_token_expires_at is not None
    assert timedelta(days=29) < tenant.database_token_expires_at - utc_now() <= timedelta(days=30)
    with sqlite3.connect(remote.path) as raw:
        assert raw.execute("SELECT email FROM user_account").fetchall() == [("ann@example.com",)]
    assert "/v1/batch" in remote.requests


async def test_taken_turso_database_name_is_not_adopted(
    settings: AuthSettings, turso: TursoPlatform
) -> None:
    await turso.create_database("leadgate-acme")
    async with open_registry(settings, turso=turso) as registry:
        with pytest.raises(TursoDatabaseExists):
            await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4(), turso=True)
        assert await repository.list_tenants(registry.db) == []


async def test_platform_errors_carry_turso_message_not_our_token(
    turso_standin: TursoPlatformStandIn, http: httpx.AsyncClient
) -> None:
    wrong_token = TursoPlatform(
        http, api_url=turso_standin.url, org="example-org", group="default", api_token="nope-123"
    )
    wrong_group = TursoPlatform(
        http,
        api_url=turso_standin.url,
        org="example-org",
        group="missing",
        api_token="platform-token-1",
    )
    with pytest.raises(TursoApiError) as unauthorized:
        await wrong_token.create_database("leadgate-acme")
    with pytest.raises(TursoApiError) as no_group:
        await wrong_group.create_database("leadgate-acme")

    assert unauthorized.value.status == 401
    assert "nope-123" not in str(unauthorized.value)
    assert no_group.value.status == 404
    assert "group missing not found" in str(no_group.value)


async def test_unreachable_platform_api_is_a_turso_error(http: httpx.AsyncClient) -> None:
    platform = TursoPlatform(
        http, api_url="http://127.0.0.1:9", org="o", group="g", api_token="platform-token-1"
    )
    with pytest.raises(TursoApiError) as raised:
        await platform.create_database("leadgate-acme")
    assert raised.value.status == 0


async def test_turso_registration_without_turso_settings_is_refused(settings: AuthSettings) -> None:
    async with open_registry(settings) as registry:
        with pytest.raises(InvalidInput):
            await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4(), turso=True)


async def test_tokens_near_expiry_are_rotated_and_the_new_one_is_used(
    settings: AuthSettings, turso: TursoPlatform, turso_standin: TursoPlatformStandIn
) -> None:
    async with open_registry(settings, turso=turso) as registry:
        tenant = await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4(), turso=True)
        await register_tenant(registry, slug="local", tenant_id=uuid.uuid4())
        assert await rotate_database_tokens(registry) == []

        rotated = await rotate_database_tokens(registry, now=utc_now() + timedelta(days=24))

        fresh = await get_tenant(registry, "acme")
        assert rotated == ["acme"]
        assert fresh.database_token != tenant.database_token
        assert fresh.database_token_expires_at is not None
        assert tenant.database_token_expires_at is not None
        assert fresh.database_token_expires_at > tenant.database_token_expires_at
        # The old token stays valid (processes holding it are not cut off), and the
        # registry now reaches the database with the new one.
        assert len(turso_standin.databases["leadgate-acme"].tokens) == 2
        assert tenant.database_token is not None
        turso_standin.databases["leadgate-acme"].tokens.discard(tenant.database_token.reveal())
        assert await list_users(await registry.database(fresh)) == []


async def test_rotation_without_turso_settings_is_refused_when_a_token_is_due(
    settings: AuthSettings, turso: TursoPlatform
) -> None:
    async with open_registry(settings, turso=turso) as registry:
        await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4(), turso=True)
    async with open_registry(settings) as registry:
        assert await rotate_database_tokens(registry) == []
        with pytest.raises(InvalidInput):
            await rotate_database_tokens(registry, now=utc_now() + timedelta(days=29))
