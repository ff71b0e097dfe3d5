"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.openapi import OpenAPIConfig

from gateway.core.problems import exception_handlers
from gateway.core.request_id import RequestIdMiddleware
from gateway.core.resources import open_resources
from gateway.health.controller import HealthController
from gateway.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings) -> Litestar:
    """Build the gateway. ``settings`` must already point at running services (the CLI
    starts the embedded ones first when they are the default)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_resources(settings) as resources:
            app.state.resources = resources
            yield

    app = Litestar(
        route_handlers=[HealthController],
        lifespan=[lifespan],
        exception_handlers=exception_handlers,
        openapi_config=OpenAPIConfig(title="leadgate", version="0.1.0", path="/schema"),
        response_cache_config=ResponseCacheConfig(),
        logging_config=None,  # gateway.core.logging owns the log format
        debug=False,
    )
    # Outermost, so 404/405 and errors raised before routing also carry a request id.
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler)
    return app
