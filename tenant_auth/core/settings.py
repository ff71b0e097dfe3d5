"""Settings tenant_auth needs, built by the gateway's settings loader from the environment."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from tenant_auth.core.structs import Frozen

__all__ = ["AuthSettings"]

_SECRET_FIELDS = frozenset({"registry_token", "secret_key", "turso_api_token"})


class AuthSettings(Frozen):
    data_dir: Path
    registry_url: str
    """``file:`` path (embedded default), or ``libsql://``/``https://`` with a token."""
    registry_token: str | None
    secret_key: str
    """LEADGATE_SECRET_KEY: encrypts secrets at rest, peppers API key hashes and signs
    resource links. One or more comma-separated keys (first = current), each urlsafe
    base64 of at least 32 random bytes; see ``tenant_auth.core.keyring``."""
    turso_api_url: str = "https://api.turso.tech"
    turso_org: str | None = None
    turso_group: str | None = None
    turso_api_token: str | None = None

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        # msgspec's default (used by rich, and by repr below) would print every field.
        shown: list[tuple[str, Any]] = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name in _SECRET_FIELDS and value is not None:
                value = "<masked>"
            elif name == "registry_url":
                parts = urllib.parse.urlsplit(value)
                value = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
            shown.append((name, value))
        return shown

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__rich_repr__())
        return f"AuthSettings({fields})"
