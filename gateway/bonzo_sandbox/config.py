"""What a sandbox is started with: webhooks, API token, event hook target, faults, seed data."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from pipeline.core.structs import Frozen

__all__ = [
    "DEFAULT_CAMPAIGNS",
    "DEFAULT_USERS",
    "EventHookTarget",
    "FaultPlan",
    "SandboxCampaign",
    "SandboxConfig",
    "SandboxUser",
    "is_webhook_id",
]

_WEBHOOK_ID = re.compile(r"[0-9a-f]{32}")


def is_webhook_id(value: str) -> bool:
    """Whether ``value`` has the shape of a Bonzo webhook id (32 lowercase hex digits)."""
    return _WEBHOOK_ID.fullmatch(value) is not None


class SandboxUser(Frozen):
    """A Bonzo user (loan officer) prospects can be assigned to with ``user_id``."""

    id: int
    first_name: str
    last_name: str
    email: str


class SandboxCampaign(Frozen):
    id: int
    name: str


DEFAULT_USERS: tuple[SandboxUser, ...] = (
    SandboxUser(id=101, first_name="Avery", last_name="Sandbox", email="avery@example.com"),
    SandboxUser(id=102, first_name="Jordan", last_name="Sandbox", email="jordan@example.com"),
)
DEFAULT_CAMPAIGNS: tuple[SandboxCampaign, ...] = (
    SandboxCampaign(id=201, name="New Lead Nurture"),
    SandboxCampaign(id=202, name="Refinance Triggers"),
    SandboxCampaign(id=203, name="Purchase Pre-Approval"),
)


class EventHookTarget(Frozen):
    """Where the sandbox sends Bonzo event hooks, and the code it sends as ``x-bonzo-code``."""

    url: str
    code: str


class FaultPlan(Frozen):
    """How badly the sandbox answers webhook posts; applies to ``/api/webhook/...`` only.

    Rates are fractions of all webhook posts, drawn independently per post: a connection
    reset (no answer at all), a 429 with ``Retry-After: retry_after`` seconds, or a 500, 502
    or 503; together at most 1. A faulted post is not processed: no prospect is created.
    ``slow_ms`` delays a ``slow_rate`` fraction of posts before they are answered (and
    processed), which is how a client timeout after Bonzo has taken the lead is simulated.
    ``forced_status`` answers every post to a webhook id with that status (404 or 410 for a
    deleted webhook). With ``seed``, the same sequence of posts meets the same faults.
    """

    fail_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    reset_rate: float = 0.0
    slow_ms: int = 0
    slow_rate: float = 1.0
    forced_status: dict[str, int] = msgspec.field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self) -> None:
        rates = {
            "fail_rate": self.fail_rate,
            "rate_limit_rate": self.rate_limit_rate,
            "reset_rate": self.reset_rate,
            "slow_rate": self.slow_rate,
        }
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name}: must be between 0 and 1")
        if self.fail_rate + self.rate_limit_rate + self.reset_rate > 1.0:
            raise ValueError("fail_rate + rate_limit_rate + reset_rate: must not exceed 1")
        if self.retry_after < 0:
            raise ValueError("retry_after: must not be negative")
        if self.slow_ms < 0:
            raise ValueError("slow_ms: must not be negative")
        for webhook_id, status in self.forced_status.items():
            if not is_webhook_id(webhook_id):
                raise ValueError(f"forced_status: {webhook_id!r} is not a webhook id")
            if not 400 <= status <= 599:
                raise ValueError(f"forced_status: {status} is not an error status")

    @property
    def error_rate(self) -> float:
        """Fraction of posts that meet a reset, 429 or 5xx."""
        return self.reset_rate + self.rate_limit_rate + self.fail_rate


class SandboxConfig(Frozen):
    """Everything a sandbox starts with; admin endpoints can change webhooks and faults later.

    ``api_token`` is the Bearer token API v3 accepts (``None``: every API call is 401).
    ``first_contact_after`` (seconds) simulates a loan officer texting each new prospect:
    the sandbox sends a ``messages.outgoing.updated`` event hook with status ``sent``.
    ``store_path`` keeps prospects and webhooks in a SQLite file across restarts; the
    file is written behind the request path, so a crash loses at most the last second.
    """

    webhooks: tuple[str, ...] = ()
    accept_any_webhook: bool = False
    api_token: str | None = None
    event_hook: EventHookTarget | None = None
    first_contact_after: float | None = None
    faults: FaultPlan = msgspec.field(default_factory=FaultPlan)
    users: tuple[SandboxUser, ...] = DEFAULT_USERS
    campaigns: tuple[SandboxCampaign, ...] = DEFAULT_CAMPAIGNS
    store_path: Path | None = None
    recent_limit: int = 200
    """How many received posts and event hook deliveries the admin endpoints keep."""

    def __post_init__(self) -> None:
        for webhook_id in self.webhooks:
            if not is_webhook_id(webhook_id):
                raise ValueError(f"webhooks: {webhook_id!r} is not 32 lowercase hex digits")
        if self.first_contact_after is not None and self.first_contact_after < 0:
            raise ValueError("first_contact_after: must not be negative")
        if self.recent_limit < 1:
            raise ValueError("recent_limit: must be at least 1")
