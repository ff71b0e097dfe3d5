"""Route handlers this package adds to the gateway (see gateway/app.py)."""

from __future__ import annotations

from typing import Any

from gateway.events.controller import receive_bonzo_event

ROUTES: list[Any] = [receive_bonzo_event]
