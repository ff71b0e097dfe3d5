"""``/_sandbox/...``: what tests, benchmarks and developers use to drive and read the sandbox.

Unauthenticated on purpose: the sandbox holds fictional data and binds to loopback by
default. Errors are RFC 9457 problem details.
"""

from __future__ import annotations

import secrets
from typing import Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from gateway.bonzo_sandbox.config import FaultPlan, is_webhook_id
from gateway.bonzo_sandbox.schemas import WebhookRegistration
from gateway.bonzo_sandbox.service import BonzoSandbox
from gateway.bonzo_sandbox.store import Webhook
from gateway.core.problems import Problem

__all__ = ["SandboxAdminController"]

T = TypeVar("T")


async def _decode(request: Request[Any, Any, Any], into: type[T]) -> T:
    try:
        return msgspec.json.decode(await request.body(), type=into)
    except msgspec.ValidationError as exc:
        raise Problem(422, "invalid-body", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise Problem(400, "malformed-json", f"The body is not JSON: {exc}") from None


class SandboxAdminController(Controller):
    path = "/_sandbox"

    @get("/received", sync_to_thread=False)
    def received(
        self, sandbox: NamedDependency[BonzoSandbox], recent: FromQuery[int] = 50
    ) -> dict[str, Any]:
        """Webhook posts: counts by status and ``external_id``, duplicates, latest bodies."""
        return sandbox.received.summary(recent=recent)

    @post("/reset", status_code=HTTP_204_NO_CONTENT, sync_to_thread=False)
    def reset(self, sandbox: NamedDependency[BonzoSandbox]) -> None:
        """Forget prospects, posts and event hook history; keep webhooks and faults."""
        sandbox.reset()

    @get("/prospects", sync_to_thread=False)
    def prospects(self, sandbox: NamedDependency[BonzoSandbox]) -> dict[str, Any]:
        """Every prospect as stored, notes and custom fields included."""
        prospects = sandbox.store.all()
        return {"total": len(prospects), "data": prospects}

    @get("/webhooks", sync_to_thread=False)
    def webhooks(self, sandbox: NamedDependency[BonzoSandbox]) -> dict[str, Any]:
        return {"accept_any": sandbox.config.accept_any_webhook, "data": sandbox.webhooks()}

    @post("/webhooks", status_code=HTTP_201_CREATED)
    async def register_webhook(
        self, request: Request[Any, Any, Any], sandbox: NamedDependency[BonzoSandbox]
    ) -> dict[str, Any]:
        """Configure a webhook (a new id when none is given); answers its path."""
        wanted = await _decode(request, WebhookRegistration)
        webhook_id = wanted.id if wanted.id is not None else secrets.token_hex(16)
        if not is_webhook_id(webhook_id):
            raise Problem(422, "invalid-webhook-id", "id: must be 32 lowercase hex digits")
        if wanted.campaign_id is not None and wanted.campaign_id not in sandbox.campaigns:
            raise Problem(422, "unknown-campaign", f"campaign_id: no campaign {wanted.campaign_id}")
        if wanted.owner_id is not None and wanted.owner_id not in sandbox.users:
            raise Problem(422, "unknown-user", f"owner_id: no user {wanted.owner_id}")
        webhook = sandbox.register_webhook(
            Webhook(
                id=webhook_id,
                name=wanted.name,
                campaign_id=wanted.campaign_id,
                owner_id=wanted.owner_id,
            )
        )
        return {"data": webhook, "path": f"/api/webhook/{webhook.id}"}

    @get("/faults", sync_to_thread=False)
    def faults(self, sandbox: NamedDependency[BonzoSandbox]) -> FaultPlan:
        return sandbox.faults.plan

    @put("/faults")
    async def replace_faults(
        self, request: Request[Any, Any, Any], sandbox: NamedDependency[BonzoSandbox]
    ) -> FaultPlan:
        """Replace the whole fault plan (fields left out take their defaults: no faults)."""
        plan = await _decode(request, FaultPlan)
        sandbox.faults.replace(plan)
        return plan

    @get("/event-hooks", sync_to_thread=False)
    def event_hooks(self, sandbox: NamedDependency[BonzoSandbox]) -> dict[str, Any]:
        """Event hook deliveries: counts and the latest, newest first."""
        return sandbox.hooks.stats()
