"""Bodies of the sandbox's admin endpoints."""

from __future__ import annotations

from pipeline.core.structs import Frozen

__all__ = ["WebhookRegistration"]


class WebhookRegistration(Frozen):
    """``POST /_sandbox/webhooks``: without ``id``, a new one is generated."""

    id: str | None = None
    name: str = "leadgate"
    campaign_id: int | None = None
    owner_id: int | None = None
