"""A running gateway (real uvicorn on loopback, real PostgreSQL, Redis and registry) with
two tenants and their API keys, for the ingest endpoint's HTTP tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
import psycopg
import pytest
from arq.worker import Worker

from gateway.app import create_app
from gateway.core.resources import redis_settings
from gateway.settings import IngestSettings, Settings
from pipeline.core.settings import DatabaseSettings, WorkerSettings
from pipeline.worker import WorkerDeps
from tenant_auth.apikeys.service import create_api_key
from tenant_auth.core.secretbox import SecretBox
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import register_tenant
from tests.support.http import serve_app
from tests.support.settings import TEST_SECRET_KEY, make_settings
from tests.support.tenants import create_tenant
from tests.support.worker import running_worker

LEAD_HEADER = "Lead ID,First Name,Last Name,Email,Pri. Phone\n"


def lead_json(n: int = 1, *, tag: str | None = None) -> dict[str, str]:
    tag = tag or uuid.uuid4().hex[:8]
    return {
        "Lead ID": f"LS-{tag}-{n}",
        "First Name": "Mary",
        "Last Name": "Major",
        "Email": f"mary.{tag}.{n}@example.com",
        "Pri. Phone": f"555-010-{n % 10000:04d}",
    }


@dataclass
class TenantKeys:
    tenant_id: UUID
    slug: str
    ingest: str
    read: str
    admin: str


@dataclass
class Gateway:
    url: str
    client: httpx.AsyncClient
    database: DatabaseSettings
    settings: Settings
    acme: TenantKeys
    beta: TenantKeys

    async def post(
        self,
        body: bytes | str,
        *,
        key: str | None = None,
        source: str = "leadsource",
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"content-type": content_type, **(headers or {})}
        if key is not None:
            sent["authorization"] = f"Bearer {key}"
        content = body.encode() if isinstance(body, str) else body
        return await self.client.post(f"/ingest/{source}", content=content, headers=sent)

    def owner(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database.owner_conninfo(), autocommit=True) as conn:
            cur = conn.execute(query.encode(), params or [])
            return cur.fetchall() if cur.description else []


async def _tenant_with_keys(
    settings: Settings, database: DatabaseSettings, slug: str
) -> TenantKeys:
    tenant_id = create_tenant(database, slug)
    async with open_registry(settings.auth) as registry:
        tenant = await register_tenant(registry, slug=slug, tenant_id=tenant_id)
        keys = {
            scope: (
                await create_api_key(
                    registry, tenant, name=f"{scope} key", scopes=[scope], actor="test"
                )
            ).key.reveal()
            for scope in ("ingest", "read", "admin")
        }
    return TenantKeys(tenant_id, slug, keys["ingest"], keys["read"], keys["admin"])


@pytest.fixture
async def worker(database: DatabaseSettings, redis_url: str) -> AsyncIterator[Worker]:
    """A real arq worker in this event loop: it processes what the gateway stores."""
    deps = WorkerDeps(
        database=database,
        redis=redis_settings(redis_url),
        worker=WorkerSettings(poll_delay_s=0.02),
        cipher=SecretBox.from_secret_key(TEST_SECRET_KEY),
    )
    async with running_worker(deps) as running:
        yield running


@pytest.fixture
def ingest_limits() -> IngestSettings:
    return IngestSettings()


@pytest.fixture
async def gateway(
    tmp_path: Path, database: DatabaseSettings, redis_url: str, ingest_limits: IngestSettings
) -> AsyncIterator[Gateway]:
    settings = msgspec.structs.replace(
        make_settings(tmp_path, database, redis_url), ingest=ingest_limits
    )
    acme = await _tenant_with_keys(settings, database, "acme-lending")
    beta = await _tenant_with_keys(settings, database, "beta-mortgage")
    async with (
        serve_app(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        yield Gateway(url, client, database, settings, acme, beta)
