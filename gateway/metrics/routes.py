"""Route handlers this package adds to the gateway (see gateway/app.py)."""

from __future__ import annotations

from typing import Any

from gateway.metrics.controller import MetricsController

ROUTES: list[Any] = [MetricsController]
