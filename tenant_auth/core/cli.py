"""What a host command line shares with tenant_auth's commands, importable without them."""

from __future__ import annotations

__all__ = ["AUTH_SETTINGS_FACTORY"]

AUTH_SETTINGS_FACTORY = "leadgate.auth_settings_factory"
"""``ctx.meta`` key of a zero-argument callable returning ``AuthSettings``."""
