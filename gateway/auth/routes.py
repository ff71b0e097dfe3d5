"""Route handlers this package adds to the gateway (see gateway/app.py)."""

from __future__ import annotations

from typing import Any

from gateway.auth.controller import SignInController
from gateway.auth.link_controller import LinkController

ROUTES: list[Any] = [SignInController, LinkController]
