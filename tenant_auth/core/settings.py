"""Settings tenant_auth needs, built by the gateway's settings loader from the environment."""

from __future__ import annotations

from pathlib import Path

from tenant_auth.core.structs import Frozen

__all__ = ["AuthSettings"]


class AuthSettings(Frozen):
    data_dir: Path
    registry_url: str
    """``file:`` path (embedded default), or ``libsql://``/``https://`` with a token."""
    registry_token: str | None
    secret_key: str
    """LEADGATE_SECRET_KEY: encrypts secrets at rest and signs resource links."""
    turso_api_url: str = "https://api.turso.tech"
    turso_org: str | None = None
    turso_group: str | None = None
    turso_api_token: str | None = None

    def __repr__(self) -> str:
        return f"AuthSettings(data_dir={self.data_dir!s}, registry_url=<set>, secret_key=<masked>)"
