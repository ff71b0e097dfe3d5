"""Route handlers this package adds to the gateway (see gateway/app.py)."""

from __future__ import annotations

from typing import Any

from gateway.ingest.controller import IngestController

ROUTES: list[Any] = [IngestController]
