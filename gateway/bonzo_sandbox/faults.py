"""Deciding, post by post, whether the sandbox misbehaves and how."""

from __future__ import annotations

import random
from typing import Literal

from gateway.bonzo_sandbox.config import FaultPlan

__all__ = ["RESET", "Fault", "FaultInjector"]

RESET: Literal["reset"] = "reset"
Fault = int | Literal["reset"]
"""An error status to answer with instead of processing the post, or ``RESET``."""

_SERVER_ERRORS = (500, 502, 503)


class FaultInjector:
    """Draws faults for webhook posts according to the current ``FaultPlan``.

    Not thread-safe; it lives on the event loop. Replacing the plan re-seeds the generator,
    so a test that sets a seeded plan gets the same faults for the same sequence of posts.
    """

    def __init__(self, plan: FaultPlan) -> None:
        self.replace(plan)

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def replace(self, plan: FaultPlan) -> None:
        self._plan = plan
        # Fault injection wants a seedable, reproducible generator, not a secure one.
        self._rng = random.Random(plan.seed)  # noqa: S311

    def delay_seconds(self) -> float:
        """How long to hold the next post before answering it."""
        plan = self._plan
        if plan.slow_ms == 0 or plan.slow_rate == 0.0:
            return 0.0
        if plan.slow_rate < 1.0 and self._rng.random() >= plan.slow_rate:
            return 0.0
        return plan.slow_ms / 1000

    def fault_for(self, webhook_id: str) -> Fault | None:
        """The fault the next post to ``webhook_id`` meets, ``None`` for a normal answer."""
        plan = self._plan
        forced = plan.forced_status.get(webhook_id)
        if forced is not None:
            return forced
        if plan.error_rate == 0.0:
            return None
        draw = self._rng.random()
        if draw < plan.reset_rate:
            return RESET
        draw -= plan.reset_rate
        if draw < plan.rate_limit_rate:
            return 429
        draw -= plan.rate_limit_rate
        if draw < plan.fail_rate:
            return self._rng.choice(_SERVER_ERRORS)
        return None
