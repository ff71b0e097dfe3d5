"""The process-wide pieces of browser authentication: the session store and the OIDC
relying party with its one outbound HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from litestar.connection import ASGIConnection
from redis.asyncio import Redis

from gateway.auth.oidc import OidcClient
from gateway.auth.sessions import SessionStore
from gateway.settings import Settings

__all__ = ["AuthServices", "auth_services", "open_auth_services"]

# Discovery, JWKS and token requests: a provider that has not answered in this time will
# not, and the person is waiting on the callback page.
_OIDC_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True)
class AuthServices:
    settings: Settings
    sessions: SessionStore
    oidc: OidcClient

    @property
    def redirect_uri(self) -> str:
        """The one callback every tenant's OIDC client registers."""
        return f"{self.settings.http.base_url}/auth/callback"


@asynccontextmanager
async def open_auth_services(settings: Settings, redis: Redis) -> AsyncIterator[AuthServices]:
    """For the life of the gateway process. Owns the process's outbound ``httpx`` client
    (explicit timeouts, no redirects: a provider's endpoints are used as published)."""
    async with httpx.AsyncClient(
        timeout=_OIDC_TIMEOUT,
        follow_redirects=False,
        headers={"user-agent": "leadgate"},
    ) as http:
        yield AuthServices(
            settings=settings,
            sessions=SessionStore(redis, settings.session),
            oidc=OidcClient(http),
        )


def auth_services(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthServices:
    services: AuthServices = connection.app.state.auth
    return services
