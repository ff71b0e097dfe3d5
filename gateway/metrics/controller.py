"""``GET /metrics`` for Prometheus.

Protected one of two ways: with ``LEADGATE_METRICS_TOKEN`` set, a scraper must send
``Authorization: Bearer <token>``; without it, only loopback clients are answered (the
client address as uvicorn resolved it, which behind a trusted proxy is the real client,
so a proxied request from outside is refused).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from litestar import Controller, Request, Response, get

from gateway.core.problems import Problem
from gateway.core.resources import Resources
from gateway.metrics.exposition import CONTENT_TYPE
from gateway.metrics.service import render_metrics

__all__ = ["MetricsController"]


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authorize(request: Request[Any, Any, Any], token: str | None) -> None:
    if token is None:
        if not _is_loopback(request.client.host if request.client else None):
            raise Problem(
                403,
                "forbidden",
                "Metrics are served to loopback clients only (or set LEADGATE_METRICS_TOKEN).",
            )
        return
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), token.encode()
    ):
        raise Problem(
            401,
            "unauthorized",
            "A metrics token is required (Authorization: Bearer ...).",
            headers={"www-authenticate": 'Bearer realm="leadgate-metrics"'},
        )


class MetricsController(Controller):
    include_in_schema = False

    @get("/metrics", cache=False)
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[str]:
        resources: Resources = request.app.state.resources
        _authorize(request, resources.settings.http.metrics_token)
        return Response(await render_metrics(resources), media_type=CONTENT_TYPE)
