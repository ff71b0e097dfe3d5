"""``leadgate dev``: the whole product in one process on the embedded default, delivering
to a local Bonzo SANDBOX (never the real Bonzo) through a seeded demo tenant whose Bonzo
event hooks come back to this gateway."""

from __future__ import annotations

import asyncio
import hashlib
import sys
from uuid import UUID

import msgspec
import psycopg

from gateway.bonzo_sandbox import EventHookTarget, SandboxConfig, running_sandbox
from gateway.runtime.processes import run_gateway_and_worker
from gateway.runtime.services import migrate_database, running_services
from gateway.runtime.tenants import create_tenant_everywhere
from gateway.settings import Settings
from pipeline.core.db import open_pool
from pipeline.journey.service import set_event_code
from pipeline.tenants import repository as tenant_repository
from pipeline.tenants import service as tenant_service
from tenant_auth.core.secretbox import SecretBox

__all__ = ["DEMO_TENANT_SLUG", "run_dev"]

DEMO_TENANT_SLUG = "demo"


def run_dev(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    if host is not None or port is not None:
        http = msgspec.structs.replace(
            settings.http,
            host=host or settings.http.host,
            port=settings.http.port if port is None else port,
        )
        settings = msgspec.structs.replace(settings, http=http)
    with running_services(settings) as live:
        asyncio.run(_dev(live))


def _derived(secret_key: str, purpose: str) -> str:
    """Stable per installation, so what the demo tenant stores survives restarts."""
    return hashlib.sha256(f"leadgate-dev-sandbox:{purpose}:{secret_key}".encode()).hexdigest()[:32]


async def _dev(settings: Settings) -> None:
    await migrate_database(settings)
    webhook_id = _derived(settings.auth.secret_key, "webhook")
    event_code = _derived(settings.auth.secret_key, "event-code")
    hooks = EventHookTarget(
        url=f"{settings.http.base_url}/bonzo/events/{DEMO_TENANT_SLUG}", code=event_code
    )
    config = SandboxConfig(
        webhooks=(webhook_id,), api_token=webhook_id, event_hook=hooks, first_contact_after=30.0
    )
    # Port 0: any free port; the demo tenant is re-pointed at it on every start.
    async with running_sandbox(config, host="127.0.0.1", port=0) as sandbox:
        tenant_id = await _seed_demo_tenant(settings, sandbox.webhook_url(webhook_id))
        cipher = SecretBox.from_secret_key(settings.auth.secret_key)
        pool = await open_pool(settings.database.app_conninfo(), min_size=1, max_size=1)
        try:
            await set_event_code(pool, cipher, tenant_id=tenant_id, code=event_code)
        finally:
            await pool.close()

        def announce(url: str) -> None:
            print(
                f"leadgate dev is ready at {url}  (Ctrl-C stops everything)\n"
                f"  demo tenant '{DEMO_TENANT_SLUG}' delivers to a Bonzo SANDBOX at {sandbox.base_url} "
                "(a local stand-in, not Bonzo), whose event hooks come back here",
                file=sys.stderr,
                flush=True,
            )

        await run_gateway_and_worker(settings, on_ready=announce)


async def _seed_demo_tenant(settings: Settings, webhook_url: str) -> UUID:
    cipher = SecretBox.from_secret_key(settings.auth.secret_key)
    async with await psycopg.AsyncConnection.connect(settings.database.owner_conninfo()) as conn:
        demo = next(
            (t for t in await tenant_repository.list_tenants(conn) if t.slug == DEMO_TENANT_SLUG),
            None,
        )
        if demo is not None:
            async with conn.transaction():
                await tenant_service.set_bonzo_webhook(
                    conn, tenant=demo, url=webhook_url, cipher=cipher
                )
            return demo.id
    created = await create_tenant_everywhere(
        settings,
        slug=DEMO_TENANT_SLUG,
        name="Demo Mortgage (sandbox)",
        bonzo_webhook_url=webhook_url,
        cipher=cipher,
    )
    return created.id
