"""A tenant whose Bonzo endpoint is a real sandbox over loopback HTTP, leads ingested
through the real intake path, and a Deliverer wired like the worker's."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from gateway.bonzo_sandbox import RunningSandbox, SandboxConfig, running_sandbox
from pipeline.core.db import open_pool
from pipeline.core.settings import DatabaseSettings
from pipeline.delivery.http import create_http_client
from pipeline.delivery.service import Deliverer
from pipeline.intake.service import ingest
from tenant_auth.core.secretbox import SecretBox
from tests.support.settings import TEST_SECRET_KEY
from tests.support.tenants import create_tenant

WEBHOOK_ID = "0123456789abcdef0123456789abcdef"


@dataclass
class World:
    database: DatabaseSettings
    sandbox: RunningSandbox
    pool: AsyncConnectionPool[Any]
    tenant_id: UUID
    cipher: SecretBox

    def ingest(self, *rows: str, tenant_id: UUID | None = None) -> list[UUID]:
        """Ingest leadsource rows ``First,Last,email,phone``; returns delivery ids."""
        body = "Lead ID,First Name,Last Name,Email,Pri. Phone\n" + "".join(
            f"LS-{i},{row}\n" for i, row in enumerate(rows)
        )
        with psycopg.connect(self.database.app_conninfo()) as conn:
            outcome = ingest(
                conn,
                tenant_id=tenant_id or self.tenant_id,
                source="leadsource",
                stream=io.BytesIO(body.encode()),
                channel="api",
            )
        return outcome.delivery_ids

    def owner(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database.owner_conninfo(), autocommit=True) as conn:
            cur = conn.execute(query.encode(), params or [])
            return cur.fetchall() if cur.description else []

    async def received(self) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.sandbox.base_url) as client:
            summary: dict[str, Any] = (
                await client.get("/_sandbox/received", params={"recent": 0})
            ).json()
            return summary

    async def set_faults(self, **plan: Any) -> None:
        async with httpx.AsyncClient(base_url=self.sandbox.base_url) as client:
            response = await client.put("/_sandbox/faults", json=plan)
            response.raise_for_status()


def add_endpoint(
    database: DatabaseSettings, tenant_id: UUID, url: str, cipher: SecretBox, **columns: Any
) -> None:
    names = ["tenant_id", "url_ciphertext", "url_hint", *columns]
    values = [tenant_id, cipher.encrypt(url), "sandbox…" + url[-4:], *columns.values()]
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as conn:
        conn.execute(
            f"INSERT INTO bonzo_endpoints ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})".encode(),
            values,
        )


@pytest.fixture
def cipher() -> SecretBox:
    return SecretBox.from_secret_key(TEST_SECRET_KEY)


@pytest.fixture
async def world(database: DatabaseSettings, cipher: SecretBox) -> AsyncIterator[World]:
    tenant_id = create_tenant(database, "acme-lending")
    async with running_sandbox(SandboxConfig(webhooks=(WEBHOOK_ID,))) as sandbox:
        add_endpoint(database, tenant_id, sandbox.webhook_url(WEBHOOK_ID), cipher)
        pool = await open_pool(database.app_conninfo(), min_size=1, max_size=4)
        try:
            yield World(database, sandbox, pool, tenant_id, cipher)
        finally:
            await pool.close()


@pytest.fixture
async def deliverer(world: World) -> AsyncIterator[Deliverer]:
    async with create_http_client(timeout_s=5.0, connect_timeout_s=2.0) as http:
        yield Deliverer(pool=world.pool, http=http, cipher=world.cipher, rate_limiter=None)
