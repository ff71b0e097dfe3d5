"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from gateway.auth.pages import sign_in_redirect_handler
from gateway.auth.principal import AUTH_DEPENDENCIES, SignInRedirect
from gateway.auth.routes import ROUTES as auth_routes
from gateway.auth.services import open_auth_services
from gateway.core.problems import exception_handlers
from gateway.core.request_id import RequestIdMiddleware
from gateway.core.resources import open_resources
from gateway.core.security_headers import SecurityHeadersMiddleware
from gateway.events.routes import ROUTES as events_routes
from gateway.health.controller import HealthController
from gateway.ingest.routes import ROUTES as ingest_routes
from gateway.ingest.runtime import ingest_lifespan
from gateway.leads.routes import ROUTES as leads_routes
from gateway.metrics.routes import ROUTES as metrics_routes
from gateway.pages.routes import ROUTES as pages_routes
from gateway.settings import Settings

__all__ = ["create_app"]

_HERE = Path(__file__).parent


def create_app(settings: Settings) -> Litestar:
    """Build the gateway. ``settings`` must already point at running services (the CLI
    starts the embedded ones first when they are the default)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with (
            open_resources(settings) as resources,
            open_auth_services(settings, resources.redis) as auth,
        ):
            app.state.resources = resources
            app.state.auth = auth
            yield

    app = Litestar(
        route_handlers=[
            HealthController,
            create_static_files_router(path="/static", directories=[_HERE / "static"]),
            *auth_routes,
            *ingest_routes,
            *events_routes,
            *leads_routes,
            *metrics_routes,
            *pages_routes,
        ],
        lifespan=[lifespan, ingest_lifespan(settings)],
        exception_handlers={**exception_handlers, SignInRedirect: sign_in_redirect_handler},
        dependencies=dict(AUTH_DEPENDENCIES),
        template_config=TemplateConfig(directory=_HERE / "templates", engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(title="leadgate", version="0.1.0", path="/schema"),
        response_cache_config=ResponseCacheConfig(),
        logging_config=None,  # gateway.core.logging owns the log format
        debug=False,
    )
    # Outermost, so 404/405 and errors raised before routing also carry a request id.
    app.asgi_handler = SecurityHeadersMiddleware(
        RequestIdMiddleware(app.asgi_handler), frame_ancestors=settings.http.frame_ancestors
    )
    return app
