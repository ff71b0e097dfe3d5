"""The sandbox's Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.types import Message, Scope

from gateway.bonzo_sandbox.admin import SandboxAdminController
from gateway.bonzo_sandbox.api_v3 import ApiV3Controller, require_bearer
from gateway.bonzo_sandbox.config import SandboxConfig
from gateway.bonzo_sandbox.controller import receive_webhook, sandbox_home
from gateway.bonzo_sandbox.errors import exception_handlers
from gateway.bonzo_sandbox.service import BonzoSandbox

__all__ = ["create_sandbox_app"]

_MAX_BODY = 1024 * 1024  # a lead is a few hundred bytes; a megabyte is a client bug


async def _label_as_sandbox(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)["X-Bonzo-Sandbox"] = "true"


def create_sandbox_app(config: SandboxConfig) -> Litestar:
    """A Bonzo stand-in serving ``config``. Every response carries ``X-Bonzo-Sandbox: true``.

    The account (``BonzoSandbox``) is ``app.state.sandbox``; it starts and stops with the
    app's lifespan, so serve the app with lifespan on. Connection-reset faults need uvicorn
    (see ``connection_reset``).
    """
    sandbox = BonzoSandbox(config)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        async with sandbox.running():
            yield

    def provide_sandbox() -> BonzoSandbox:
        return sandbox

    api = Router(
        path="/", route_handlers=[ApiV3Controller], guards=[require_bearer(config.api_token)]
    )
    return Litestar(
        route_handlers=[sandbox_home, receive_webhook, api, SandboxAdminController],
        dependencies={"sandbox": Provide(provide_sandbox, use_cache=True, sync_to_thread=False)},
        state=State({"sandbox": sandbox}),
        lifespan=[lifespan],
        before_send=[_label_as_sandbox],
        exception_handlers=exception_handlers,
        request_max_body_size=_MAX_BODY,
        openapi_config=None,
        # The sandbox runs inside other processes (tests, `leadgate dev`): leave their
        # logging alone.
        logging_config=None,
        debug=False,
    )
