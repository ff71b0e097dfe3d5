"""A running gateway (real uvicorn, PostgreSQL, Redis, libSQL registry) and a real OIDC
provider process, with three tenants:

- ``acme``: OIDC at the provider, only ``acme.example`` addresses; an owner, an admin, a
  manager, a viewer, a user invited from another domain, and one whose provider calls
  the address unverified.
- ``globex``: OIDC at the same provider with its own client; one admin.
- ``initech``: no OIDC yet (token links work); an admin API key.

Browsers are ``httpx.AsyncClient`` instances with their own cookie jars; ``sign_in``
drives the real authorization code flow through the provider's login form.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
import pytest
from litestar import Litestar

from gateway.app import create_app
from gateway.settings import SessionSettings, Settings
from pipeline.core.settings import DatabaseSettings
from tenant_auth.apikeys.service import create_api_key
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.registry.registry import Registry, open_registry
from tenant_auth.registry.schemas import Tenant
from tenant_auth.registry.service import configure_oidc, get_tenant, register_tenant
from tenant_auth.users.service import add_user
from tests.support.http import free_port, serve_app
from tests.support.oidc_provider import OidcProvider, RegisteredClient, running_oidc_provider
from tests.support.settings import make_settings
from tests.support.tenants import create_tenant

ACME_USERS = {
    "owner@acme.example": "owner",
    "admin@acme.example": "admin",
    "manager@acme.example": "manager",
    "viewer@acme.example": "viewer",
    "partner@elsewhere.example": "viewer",
    "unverified@acme.example": "viewer",
}
GLOBEX_USERS = {"admin@globex.example": "admin"}

_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    with running_oidc_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as provider:
        yield provider


@dataclass
class AuthGateway:
    url: str
    app: Litestar
    settings: Settings
    provider: OidcProvider
    clients: dict[str, RegisteredClient]
    initech_admin_key: str
    _browsers: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def callback_url(self) -> str:
        return f"{self.url}/auth/callback"

    @property
    def registry(self) -> Registry:
        registry: Registry = self.app.state.resources.registry
        return registry

    @property
    def redis(self) -> Any:
        return self.app.state.resources.redis

    async def tenant(self, slug: str) -> Tenant:
        return await get_tenant(self.registry, slug)

    async def tenant_db(self, slug: str) -> LibsqlDatabase:
        return await self.registry.database(await self.tenant(slug))

    def browser(self) -> httpx.AsyncClient:
        """A fresh browser: its own cookie jar, redirects not followed."""
        browser = httpx.AsyncClient(base_url=self.url, timeout=30)
        self._browsers.append(browser)
        return browser

    def session_id(self, browser: httpx.AsyncClient) -> str | None:
        return browser.cookies.get(self.settings.session.cookie_name)

    async def authorize(
        self, browser: httpx.AsyncClient, *, slug: str, email: str, next_path: str | None = None
    ) -> str:
        """Start signing in to ``slug`` and sign in at the provider as ``email``; return
        the callback URL the provider redirected to (not yet visited)."""
        params = {"next": next_path} if next_path is not None else None
        started = await browser.get(f"/t/{slug}/login", params=params)
        assert started.status_code == 303, started.text
        return await self.through_provider(browser, started.headers["location"], email=email)

    async def through_provider(self, browser: httpx.AsyncClient, url: str, *, email: str) -> str:
        """Follow the provider's redirects, posting its login form when it shows one,
        until it sends the browser back to the gateway's callback."""
        response = await browser.get(url)
        for _ in range(10):
            if response.is_redirect:
                location = urllib.parse.urljoin(str(response.url), response.headers["location"])
                if location.startswith(self.callback_url):
                    return location
                response = await browser.get(location)
            elif response.status_code == 200 and (form := _FORM_ACTION.search(response.text)):
                action = urllib.parse.urljoin(str(response.url), form[1])
                response = await browser.post(action, data={"email": email})
            else:
                raise AssertionError(f"unexpected provider answer {response.status_code}")
        raise AssertionError("the provider never redirected back to the gateway")

    async def sign_in(
        self, browser: httpx.AsyncClient, *, slug: str, email: str, next_path: str | None = None
    ) -> httpx.Response:
        """The whole flow; returns the gateway's answer at the callback."""
        callback = await self.authorize(browser, slug=slug, email=email, next_path=next_path)
        return await browser.get(callback)

    async def signed_in(self, slug: str, email: str) -> httpx.AsyncClient:
        browser = self.browser()
        answer = await self.sign_in(browser, slug=slug, email=email)
        assert answer.status_code == 303, answer.text
        return browser

    async def csrf_token(self, browser: httpx.AsyncClient) -> str:
        """The CSRF token of the browser's session, as a page renders it."""
        page = await browser.get("/")
        if page.status_code != 200:
            page = await browser.get("/login")
        match = _CSRF_FIELD.search(page.text)
        assert match is not None, page.text
        return match[1]

    async def aclose(self) -> None:
        for browser in self._browsers:
            await browser.aclose()


async def _setup_tenants(
    settings: Settings, database: DatabaseSettings, provider: OidcProvider, callback_url: str
) -> tuple[dict[str, RegisteredClient], str]:
    clients: dict[str, RegisteredClient] = {}
    async with httpx.AsyncClient(timeout=30) as http, open_registry(settings.auth) as registry:
        tenants: dict[str, Tenant] = {}
        for slug in ("acme", "globex", "initech"):
            tenant_id: UUID = create_tenant(database, slug)
            tenants[slug] = await register_tenant(registry, slug=slug, tenant_id=tenant_id)
        for slug, domains in (("acme", ["acme.example"]), ("globex", ["globex.example"])):
            clients[slug] = await provider.register_client(http, redirect_uri=callback_url)
            await configure_oidc(
                registry,
                slug,
                issuer=provider.issuer,
                client_id=clients[slug].client_id,
                client_secret=clients[slug].client_secret,
                allowed_domains=domains,
                actor="test",
            )
        for slug, users in (("acme", ACME_USERS), ("globex", GLOBEX_USERS)):
            db = await registry.database(tenants[slug])
            for email, role in users.items():
                await add_user(db, email=email, role=role, actor="test")
        issued = await create_api_key(
            registry, tenants["initech"], name="links", scopes=["admin"], actor="test"
        )
    return clients, issued.key.reveal()


def gateway_settings(
    tmp_path: Path, database: DatabaseSettings, redis_url: str, *, port: int, secure: bool
) -> Settings:
    return msgspec.structs.replace(
        make_settings(tmp_path, database, redis_url, port=port),
        session=SessionSettings(cookie_secure=secure),
    )


@pytest.fixture
def cookie_secure() -> bool:
    """Plain-http tests use the dev cookie (httpx, like browsers, never returns a Secure
    cookie over http); the cookie attributes test switches it on."""
    return False


@pytest.fixture
def extra_routes() -> list[Any]:
    """Route handlers a test module adds to the gateway (to exercise guards directly)."""
    return []


@pytest.fixture
async def gateway(
    tmp_path: Path,
    database: DatabaseSettings,
    redis_url: str,
    oidc_provider: OidcProvider,
    cookie_secure: bool,
    extra_routes: list[Any],
) -> AsyncIterator[AuthGateway]:
    port = free_port()
    settings = gateway_settings(tmp_path, database, redis_url, port=port, secure=cookie_secure)
    callback_url = f"{settings.http.base_url}/auth/callback"
    clients, initech_key = await _setup_tenants(settings, database, oidc_provider, callback_url)
    app = create_app(settings)
    for handler in extra_routes:
        app.register(handler)
    async with serve_app(app, port=port) as url:
        gateway = AuthGateway(
            url=url,
            app=app,
            settings=settings,
            provider=oidc_provider,
            clients=clients,
            initech_admin_key=initech_key,
        )
        try:
            yield gateway
        finally:
            await gateway.aclose()
