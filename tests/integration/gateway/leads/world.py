"""A running gateway (real uvicorn on loopback, real PostgreSQL, Redis and registry) with
two tenants, their API keys and Bonzo event hook codes, a Bonzo sandbox as acme's Bonzo,
and leads ingested and delivered through the real pipeline. Shared by the read API and
the event hook tests."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import httpx
import psycopg
from psycopg_pool import AsyncConnectionPool

from gateway.app import create_app
from gateway.bonzo_sandbox import EventHookTarget, RunningSandbox, SandboxConfig, running_sandbox
from gateway.core.resources import redis_settings
from gateway.settings import Settings
from pipeline.core.db import open_pool
from pipeline.core.settings import DatabaseSettings
from pipeline.delivery.http import create_http_client
from pipeline.delivery.jobs import DELIVER_JOB
from pipeline.delivery.service import Deliverer, DeliveryReport
from pipeline.intake.schemas import IngestOutcome
from pipeline.intake.service import ingest
from pipeline.journey.service import set_event_code
from pipeline.worker.settings import QUEUE_NAME, create_queue
from tenant_auth.apikeys.service import create_api_key
from tenant_auth.core.secretbox import SecretBox
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import register_tenant
from tests.support.http import serve_app
from tests.support.settings import TEST_SECRET_KEY, make_settings
from tests.support.tenants import create_tenant

WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
QUEUE_DB = 13
LEADSOURCE_HEADER = "Lead ID,First Name,Last Name,Email,Pri. Phone,State\n"


@dataclass
class Tenant:
    id: UUID
    slug: str
    read_key: str
    admin_key: str
    ingest_key: str
    bonzo_code: str

    def auth(self, scope: str = "read") -> dict[str, str]:
        key = {"read": self.read_key, "admin": self.admin_key, "ingest": self.ingest_key}[scope]
        return {"authorization": f"Bearer {key}"}


@dataclass
class World:
    url: str
    client: httpx.AsyncClient
    database: DatabaseSettings
    settings: Settings
    pool: AsyncConnectionPool[Any]
    cipher: SecretBox
    sandbox: RunningSandbox
    acme: Tenant
    beta: Tenant

    async def ingest(
        self,
        tenant: Tenant,
        rows: list[str],
        *,
        source: str = "leadsource",
        header: str = LEADSOURCE_HEADER,
    ) -> IngestOutcome:
        """Ingest CSV ``rows`` (after ``header``) for ``tenant`` through the real intake."""
        body = (header + "".join(row + "\n" for row in rows)).encode()

        def run() -> IngestOutcome:
            with psycopg.connect(self.database.app_conninfo()) as conn:
                return ingest(
                    conn, tenant_id=tenant.id, source=source, stream=io.BytesIO(body), channel="api"
                )

        return await asyncio.to_thread(run)

    async def deliver(self, tenant: Tenant, delivery_ids: list[UUID]) -> DeliveryReport:
        """Post the deliveries to the tenant's Bonzo (the sandbox) the way the worker does."""
        async with create_http_client(timeout_s=5.0, connect_timeout_s=2.0) as http:
            deliverer = Deliverer(pool=self.pool, http=http, cipher=self.cipher, rate_limiter=None)
            return await deliverer.deliver(tenant.id, delivery_ids)

    async def set_faults(self, **plan: Any) -> None:
        async with httpx.AsyncClient(base_url=self.sandbox.base_url) as client:
            (await client.put("/_sandbox/faults", json=plan)).raise_for_status()

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

    async def post_event(
        self, tenant: Tenant, body: bytes | dict[str, Any], *, code: str | None = None
    ) -> httpx.Response:
        content = body if isinstance(body, bytes) else httpx.Request("POST", "/", json=body).content
        headers = {"content-type": "application/json", "x-bonzo-code": code or tenant.bonzo_code}
        return await self.client.post(
            f"/bonzo/events/{tenant.slug}", content=content, headers=headers
        )


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
        keys = {
            scope: (
                await create_api_key(
                    registry, registered, name=f"{scope} key", scopes=[scope], actor="test"
                )
            ).key.reveal()
            for scope in ("read", "admin", "ingest")
        }
    code = f"{slug}-event-hook-code-0123456789"
    await set_event_code(pool, cipher, tenant_id=tenant_id, code=code)
    return Tenant(tenant_id, slug, keys["read"], keys["admin"], keys["ingest"], code)


def _add_bonzo_endpoint(
    database: DatabaseSettings, tenant_id: UUID, url: str, cipher: SecretBox
) -> None:
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint) VALUES (%s, %s, %s)",
            [tenant_id, cipher.encrypt(url), "sandbox…" + url[-4:]],
        )


def _queue_of_our_own(redis_url: str) -> str:
    """The same Redis, another database: no worker of another test takes our jobs, so what
    the gateway queued can be looked at."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        return urlunsplit(parts._replace(query=f"db={QUEUE_DB}"))
    return urlunsplit(parts._replace(path=f"/{QUEUE_DB}"))


@asynccontextmanager
async def running_world(
    tmp_path: Path,
    database: DatabaseSettings,
    redis_url: str,
    *,
    first_contact_after: float | None = None,
) -> AsyncIterator[World]:
    """The world above. With ``first_contact_after`` the sandbox sends acme's event hooks
    to the gateway and "texts" each new prospect after that many seconds."""
    settings = make_settings(tmp_path, database, _queue_of_our_own(redis_url))
    cipher = SecretBox.from_secret_key(TEST_SECRET_KEY)
    pool = await open_pool(database.app_conninfo(), min_size=1, max_size=4)
    try:
        acme = await _tenant(settings, database, pool, cipher, "acme-lending")
        beta = await _tenant(settings, database, pool, cipher, "beta-mortgage")
        async with (
            serve_app(create_app(settings)) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as client,
        ):
            hooks = (
                None
                if first_contact_after is None
                else EventHookTarget(url=f"{url}/bonzo/events/{acme.slug}", code=acme.bonzo_code)
            )
            config = SandboxConfig(
                webhooks=(WEBHOOK_ID,), event_hook=hooks, first_contact_after=first_contact_after
            )
            async with running_sandbox(config) as sandbox:
                _add_bonzo_endpoint(database, acme.id, sandbox.webhook_url(WEBHOOK_ID), cipher)
                yield World(url, client, database, settings, pool, cipher, sandbox, acme, beta)
    finally:
        await pool.close()
        # Jobs nobody will run (no worker listens on this database) must not pile up.
        queue = await create_queue(redis_settings(settings.redis.url or ""))
        try:
            await queue.delete(QUEUE_NAME)
        finally:
            await queue.aclose()
