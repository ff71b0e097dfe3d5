"""What to do after each attempt to post a lead to Bonzo: delivery policy as data.

The schedule is front-loaded for speed to lead (a lead contacted in the first minutes is
worth far more than one contacted tomorrow) and overridable per tenant. ``decide`` is pure:
given the attempt's HTTP outcome and how many attempts were made, it says whether the
delivery is done, retries when, fails for good, or disables the tenant's endpoint.
"""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import msgspec

from pipeline.core.structs import Frozen

__all__ = [
    "DEFAULT_POLICY",
    "AttemptResult",
    "Decision",
    "ErrorClass",
    "RetryPolicy",
    "circuit_open_seconds",
    "decide",
    "decode_policy",
    "parse_retry_after",
]

ErrorClass = Literal["timeout", "connect", "tls", "http", "protocol"]
Verdict = Literal["delivered", "retry", "failed", "dead", "endpoint_disabled"]


class RetryPolicy(Frozen):
    schedule_s: tuple[float, ...] = (0, 10, 60, 300, 1800, 7200, 21600, 43200, 86400)
    """Delay before attempt n+1 (index n); the first entry is the first attempt itself.
    After the last entry is used, the delivery is dead."""
    jitter: float = 0.2
    """Each delay is scaled by a random factor in [1 - jitter, 1 + jitter], so a burst of
    failures does not come back as a burst of retries."""
    retry_after_min_s: float = 1.0
    retry_after_max_s: float = 3600.0
    """Bonzo's Retry-After is honoured, clamped to this range."""
    circuit_threshold: int = 5
    """Consecutive retryable failures of one endpoint that open its circuit."""
    circuit_open_s: float = 30.0
    circuit_open_max_s: float = 600.0

    def __post_init__(self) -> None:
        if not self.schedule_s or any(d < 0 for d in self.schedule_s):
            raise ValueError("schedule_s: needs at least one non-negative delay")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter: must be in [0, 1)")

    @property
    def max_attempts(self) -> int:
        return len(self.schedule_s)


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one POST produced: a status code, or an error class when no response came."""

    status_code: int | None
    error_class: ErrorClass | None = None
    retry_after_s: float | None = None
    field_errors: dict[str, list[str]] | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    delay_s: float | None = None
    """Seconds until the next attempt, for ``retry``."""
    reason: str | None = None
    counts_as_endpoint_failure: bool = False
    """Feeds the circuit breaker: the endpoint, not the lead, looked unhealthy."""


_RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_ENDPOINT_GONE = frozenset({404, 410})


def decide(
    result: AttemptResult,
    *,
    attempts_made: int,
    policy: RetryPolicy = DEFAULT_POLICY,
    rng: random.Random | None = None,
) -> Decision:
    """``attempts_made`` includes the attempt being decided on (1 after the first)."""
    status = result.status_code
    if status is not None and 200 <= status < 300:
        return Decision("delivered")
    if status in _ENDPOINT_GONE:
        return Decision(
            "endpoint_disabled",
            reason=f"Bonzo answered {status}: the webhook URL no longer exists; update it and replay",
        )
    if status == 422:
        return Decision(
            "failed", reason="Bonzo rejected the lead (422): " + _describe(result.field_errors)
        )
    retryable = status is None or status in _RETRYABLE_STATUSES or (status >= 500 and status != 501)
    if not retryable:
        assert status is not None
        if 300 <= status < 400:
            return Decision(
                "failed",
                reason=f"Bonzo answered a redirect ({status}); webhook URLs are not followed",
            )
        return Decision("failed", reason=f"Bonzo refused the lead with HTTP {status}")
    what = f"HTTP {status}" if status is not None else (result.error_class or "error")
    if attempts_made >= policy.max_attempts:
        return Decision(
            "dead",
            reason=f"gave up after {attempts_made} attempts; last: {what}",
            counts_as_endpoint_failure=True,
        )
    delay = policy.schedule_s[attempts_made] * (
        1 + (rng or random).uniform(-policy.jitter, policy.jitter)
    )
    if result.retry_after_s is not None:
        honoured = min(
            max(result.retry_after_s, policy.retry_after_min_s), policy.retry_after_max_s
        )
        delay = max(delay, honoured)
    return Decision("retry", delay_s=delay, reason=what, counts_as_endpoint_failure=True)


def circuit_open_seconds(
    consecutive_failures: int, policy: RetryPolicy = DEFAULT_POLICY
) -> float | None:
    """How long to stop posting to an endpoint after this many failures in a row."""
    if consecutive_failures < policy.circuit_threshold:
        return None
    doublings = consecutive_failures - policy.circuit_threshold
    return min(policy.circuit_open_s * 2.0 ** min(doublings, 16), policy.circuit_open_max_s)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or
    unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _describe(field_errors: dict[str, list[str]] | None) -> str:
    if not field_errors:
        return "no field errors given"
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in field_errors.items())


def decode_policy(data: object) -> RetryPolicy:
    """A tenant's stored override (JSON object), validated."""
    return msgspec.convert(data, RetryPolicy)
