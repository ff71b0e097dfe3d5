"""Liveness and readiness for load balancers, systemd and the CI smoke test."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, Response, get

from gateway.core.problems import problem_response
from gateway.core.resources import Resources, run_probe

__all__ = ["HealthController"]


class HealthController(Controller):
    include_in_schema = False

    @get("/healthz", cache=False)
    async def healthz(self) -> dict[str, str]:
        """The process is up and serving; says nothing about its dependencies."""
        return {"status": "ok"}

    @get("/readyz", cache=False)
    async def readyz(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """200 when PostgreSQL, Redis and the tenant registry all answer; 503 naming each
        failing part otherwise."""
        resources: Resources = request.app.state.resources
        names = list(resources.probes)
        results = await asyncio.gather(*(run_probe(resources.probes[name]) for name in names))
        checks = {name: (reason or "ok") for name, reason in zip(names, results, strict=True)}
        failing = [name for name, reason in zip(names, results, strict=True) if reason is not None]
        if failing:
            return problem_response(
                503,
                "not-ready",
                f"not ready: {', '.join(failing)} unreachable",
                extra={"checks": checks},
            )
        return Response({"status": "ready", "checks": checks})
