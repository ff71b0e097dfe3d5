"""Route handlers this package adds to the gateway (see gateway/app.py)."""

from __future__ import annotations

from typing import Any

from gateway.leads.controller import ReadController
from gateway.leads.export import ExportController
from gateway.leads.replay import ReplayController

ROUTES: list[Any] = [ReadController, ExportController, ReplayController]
