"""A running gateway (real uvicorn on a free loopback port, PostgreSQL, Redis, libSQL
registry), a Bonzo sandbox as acme's Bonzo, two tenants with people of every role, and
headless Chromium.

People are signed in through the session store the OIDC login itself uses
(``SessionStore.create(user=...)``, as ``complete_sign_in`` does after the provider's
answer): the OIDC round trip has its own tests in ``tests/integration/gateway/auth``, and
driving the provider for every page test would add a Node process and seconds per test
without testing anything about the pages.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import httpx
import msgspec
import psycopg
import pytest
from playwright.async_api import Browser
from psycopg_pool import AsyncConnectionPool

from gateway.app import create_app
from gateway.auth.services import AuthServices
from gateway.auth.sessions import SignedInUser
from gateway.bonzo_sandbox import RunningSandbox, SandboxConfig, running_sandbox
from gateway.core.resources import redis_settings
from gateway.settings import SessionSettings, Settings
from pipeline.core.db import open_pool
from pipeline.core.settings import DatabaseSettings
from pipeline.delivery.http import create_http_client
from pipeline.delivery.jobs import DELIVER_JOB
from pipeline.delivery.service import Deliverer, DeliveryReport
from pipeline.intake.schemas import IngestOutcome
from pipeline.intake.service import ingest, process_batch
from pipeline.journey.service import set_event_code
from pipeline.worker.settings import QUEUE_NAME, create_queue
from tenant_auth.core.secretbox import SecretBox
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import register_tenant
from tenant_auth.users.service import add_user
from tests.support.browser import chromium
from tests.support.http import free_port, serve_app
from tests.support.settings import TEST_SECRET_KEY, make_settings
from tests.support.tenants import create_tenant

WEBHOOK_ID = "fedcba9876543210fedcba9876543210"
QUEUE_DB = 12
LEADSOURCE_HEADER = "Lead ID,First Name,Last Name,Email,Pri. Phone,State\n"
ROLES = ("admin", "manager", "viewer")


@dataclass
class Tenant:
    id: UUID
    slug: str
    bonzo_code: str
    user_ids: dict[str, str]
    """Role -> user id of the person holding it."""


@dataclass
class PagesWorld:
    url: str
    settings: Settings
    database: DatabaseSettings
    pool: AsyncConnectionPool[Any]
    cipher: SecretBox
    sandbox: RunningSandbox
    auth: AuthServices
    acme: Tenant
    beta: Tenant

    async def session_cookie(self, tenant: Tenant, role: str) -> dict[str, str]:
        """A signed-in session of ``tenant``'s person with ``role``, as a cookie."""
        session = await self.auth.sessions.create(
            user=SignedInUser(
                tenant_slug=tenant.slug, tenant_id=tenant.id, user_id=tenant.user_ids[role]
            )
        )
        return {self.settings.session.cookie_name: session.id}

    async def ingest(self, tenant: Tenant, rows: list[str]) -> IngestOutcome:
        """Ingest leadsource CSV ``rows`` for ``tenant`` through the real intake."""
        body = (LEADSOURCE_HEADER + "".join(row + "\n" for row in rows)).encode()

        def run() -> IngestOutcome:
            with psycopg.connect(self.database.app_conninfo()) as conn:
                return ingest(
                    conn,
                    tenant_id=tenant.id,
                    source="leadsource",
                    stream=io.BytesIO(body),
                    channel="api",
                    filename="fictional-leads.csv",
                )

        return await asyncio.to_thread(run)

    async def process(self, tenant: Tenant, batch_id: UUID) -> IngestOutcome:
        """Process a stored batch as the worker's job does."""

        def run() -> IngestOutcome:
            with psycopg.connect(self.database.app_conninfo()) as conn:
                return process_batch(conn, tenant_id=tenant.id, batch_id=batch_id)

        return await asyncio.to_thread(run)

    async def deliver(self, tenant: Tenant, delivery_ids: list[UUID]) -> DeliveryReport:
        """Post the deliveries to the tenant's Bonzo (the sandbox) as the worker does."""
        async with create_http_client(timeout_s=5.0, connect_timeout_s=2.0) as http:
            deliverer = Deliverer(pool=self.pool, http=http, cipher=self.cipher, rate_limiter=None)
            return await deliverer.deliver(tenant.id, delivery_ids)

    async def set_faults(self, **plan: Any) -> None:
        async with httpx.AsyncClient(base_url=self.sandbox.base_url) as client:
            (await client.put("/_sandbox/faults", json=plan)).raise_for_status()

    async def post_event(self, tenant: Tenant, body: dict[str, Any]) -> None:
        """A Bonzo event hook, posted to the gateway as Bonzo would."""
        async with httpx.AsyncClient(base_url=self.url) as client:
            response = await client.post(
                f"/bonzo/events/{tenant.slug}",
                json=body,
                headers={"x-bonzo-code": tenant.bonzo_code},
            )
        assert response.status_code == 200, response.text

    async def queued_delivery_ids(self) -> set[UUID]:
        """Delivery ids in the jobs waiting on this gateway's queue."""
        queue = await create_queue(redis_settings(self.settings.redis.url or ""))
        try:
            jobs = await queue.queued_jobs(queue_name=QUEUE_NAME)
        finally:
            await queue.aclose()
        return {UUID(i) for job in jobs if job.function == DELIVER_JOB for i in job.args[1]}

    def owner(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database.owner_conninfo(), autocommit=True) as conn:
            cur = conn.execute(query.encode(), params or [])
            return cur.fetchall() if cur.description else []


def _queue_of_our_own(redis_url: str) -> str:
    """The same Redis, another database: no worker of another test takes our jobs."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        return urlunsplit(parts._replace(query=f"db={QUEUE_DB}"))
    return urlunsplit(parts._replace(path=f"/{QUEUE_DB}"))


async def _tenant(
    settings: Settings,
    database: DatabaseSettings,
    pool: AsyncConnectionPool[Any],
    cipher: SecretBox,
    slug: str,
) -> Tenant:
    tenant_id = create_tenant(database, slug)
    async with open_registry(settings.auth) as registry:
        registered = await register_tenant(registry, slug=slug, tenant_id=tenant_id)
        db = await registry.database(registered)
        user_ids = {
            role: (await add_user(db, email=f"{role}@{slug}.example", role=role, actor="test")).id
            for role in ROLES
        }
    code = f"{slug}-event-hook-code-0123456789"
    await set_event_code(pool, cipher, tenant_id=tenant_id, code=code)
    return Tenant(tenant_id, slug, code, user_ids)


def _add_bonzo_endpoint(
    database: DatabaseSettings, tenant_id: UUID, url: str, cipher: SecretBox
) -> None:
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint) VALUES (%s, %s, %s)",
            [tenant_id, cipher.encrypt(url), "sandbox…" + url[-4:]],
        )


@pytest.fixture
async def world(
    tmp_path: Path, database: DatabaseSettings, redis_url: str
) -> AsyncIterator[PagesWorld]:
    port = free_port()
    settings = msgspec.structs.replace(
        make_settings(tmp_path, database, _queue_of_our_own(redis_url), port=port),
        # Plain http on loopback: browsers do not send a Secure cookie there.
        session=SessionSettings(cookie_secure=False),
    )
    cipher = SecretBox.from_secret_key(TEST_SECRET_KEY)
    pool = await open_pool(database.app_conninfo(), min_size=1, max_size=4)
    try:
        acme = await _tenant(settings, database, pool, cipher, "acme-lending")
        beta = await _tenant(settings, database, pool, cipher, "beta-mortgage")
        app = create_app(settings)
        async with (
            serve_app(app, port=port) as url,
            running_sandbox(SandboxConfig(webhooks=(WEBHOOK_ID,))) as sandbox,
        ):
            # Our queue database outlives each test: start from an empty queue.
            await app.state.resources.redis.flushdb()
            _add_bonzo_endpoint(database, acme.id, sandbox.webhook_url(WEBHOOK_ID), cipher)
            yield PagesWorld(
                url, settings, database, pool, cipher, sandbox, app.state.auth, acme, beta
            )
    finally:
        await pool.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running
