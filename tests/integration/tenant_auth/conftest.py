"""Fixtures for tenant_auth against real libSQL files, a local Hrana server and a local
Turso Platform stand-in. No PostgreSQL or Redis needed."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.core.settings import AuthSettings
from tenant_auth.registry.registry import Registry, open_registry
from tenant_auth.registry.schemas import Tenant
from tenant_auth.registry.service import register_tenant
from tenant_auth.turso.client import TursoPlatform
from tests.support.hrana_server import HranaServer
from tests.support.turso_platform import TursoPlatformStandIn


@pytest.fixture
def settings(tmp_path: Path) -> AuthSettings:
    return AuthSettings(
        data_dir=tmp_path,
        registry_url=f"file:{tmp_path / 'registry.db'}",
        registry_token=None,
        secret_key=secrets.token_urlsafe(32),
    )


@pytest.fixture
async def registry(settings: AuthSettings) -> AsyncIterator[Registry]:
    async with open_registry(settings) as opened:
        yield opened


@pytest.fixture
async def tenant(registry: Registry) -> Tenant:
    return await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4())


@pytest.fixture
async def tenant_db(registry: Registry, tenant: Tenant) -> LibsqlDatabase:
    return await registry.database(tenant)


@pytest.fixture
def hrana(tmp_path: Path) -> Iterator[HranaServer]:
    with HranaServer(tmp_path / "remote.db", tokens={"remote-token-1"}) as server:
        yield server


@pytest.fixture
def turso_standin(tmp_path: Path) -> Iterator[TursoPlatformStandIn]:
    root = tmp_path / "turso"
    root.mkdir()
    with TursoPlatformStandIn(
        root, org="example-org", api_token="platform-token-1", groups={"default"}
    ) as standin:
        yield standin


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def turso(turso_standin: TursoPlatformStandIn, http: httpx.AsyncClient) -> TursoPlatform:
    return TursoPlatform(
        http,
        api_url=turso_standin.url,
        org="example-org",
        group="default",
        api_token="platform-token-1",
        database_scheme="http",
    )
