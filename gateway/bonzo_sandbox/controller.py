"""Bonzo's inbound webhook, and the page that says this is a sandbox."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from gateway.bonzo_sandbox.connection_reset import reset_connection
from gateway.bonzo_sandbox.service import BonzoSandbox

__all__ = ["receive_webhook", "sandbox_home"]


@post("/api/webhook/{webhook_id:str}")
async def receive_webhook(
    webhook_id: FromPath[str],
    request: Request[Any, Any, Any],
    sandbox: NamedDependency[BonzoSandbox],
) -> Response[bytes]:
    """Take a lead the way a "Bonzo (General)" webhook does (or fail as configured)."""
    answer = await sandbox.receive_webhook(webhook_id, await request.body())
    if answer.reset:
        reset_connection(request)
        # Let the transport report the lost connection before the framework sends
        # anything, so uvicorn drops the response instead of writing to a dead socket.
        await asyncio.sleep(0)
    return Response(
        answer.body,
        status_code=answer.status,
        media_type=answer.media_type,
        headers=answer.headers,
    )


@get("/", sync_to_thread=False)
def sandbox_home() -> dict[str, Any]:
    return {
        "name": "Bonzo SANDBOX — not Bonzo",
        "sandbox": True,
        "detail": (
            "A local stand-in for Bonzo CRM for development, tests and benchmarks. "
            "Nothing posted here reaches a real CRM."
        ),
        "endpoints": {
            "webhook": "POST /api/webhook/{32 lowercase hex}",
            "api": "GET /api/v3/prospects, /api/v3/prospects/{id}, /api/v3/users, "
            "/api/v3/campaigns (Authorization: Bearer <token>)",
            "admin": "GET /_sandbox/received, /_sandbox/prospects, /_sandbox/webhooks, "
            "/_sandbox/faults, /_sandbox/event-hooks; POST /_sandbox/reset, "
            "/_sandbox/webhooks; PUT /_sandbox/faults",
        },
    }
