"""Serving the sandbox with uvicorn: in the foreground (the command) or inside a running
event loop on a free port (tests, benchmarks, ``leadgate dev``)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import uvicorn
from litestar import Litestar

from gateway.bonzo_sandbox.app import create_sandbox_app
from gateway.bonzo_sandbox.config import SandboxConfig
from gateway.bonzo_sandbox.service import BonzoSandbox

__all__ = ["RunningSandbox", "running_sandbox", "serve_sandbox"]

_STARTUP_POLL = 0.01  # seconds between looks at uvicorn's `started` flag


@dataclass(frozen=True)
class RunningSandbox:
    base_url: str
    """``http://host:port``, no trailing slash."""
    sandbox: BonzoSandbox
    """The account itself, for in-process assertions."""

    def webhook_url(self, webhook_id: str) -> str:
        return f"{self.base_url}/api/webhook/{webhook_id}"


def _uvicorn_config(app: Litestar, *, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        log_config=None,  # the host process owns logging
        access_log=False,  # thousands of posts a second: the received log keeps them
        server_header=False,
        timeout_graceful_shutdown=5,
    )


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Embedded in a host process that owns SIGINT/SIGTERM; it stops us via should_exit.
        yield


async def serve_sandbox(config: SandboxConfig, *, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM (handled by uvicorn)."""
    server = uvicorn.Server(_uvicorn_config(create_sandbox_app(config), host=host, port=port))
    await server.serve()


def _listening_socket(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    # Bound here so that port 0 can be resolved before serving. The protocol must be named:
    # asyncio only sets TCP_NODELAY on sockets whose proto is IPPROTO_TCP, and without it
    # every answer waits ~40 ms on Nagle's algorithm and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.asynccontextmanager
async def running_sandbox(
    config: SandboxConfig, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningSandbox]:
    """Serve the sandbox in the current event loop while inside; ``port=0`` picks a free
    port. Ready to take requests on entry; stopped (connections closed) on exit.

    Raises ``OSError`` when the address cannot be bound, ``RuntimeError`` when the app
    fails to start (e.g. an unreadable store file).
    """
    app = create_sandbox_app(config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = _listening_socket(family, host, port)
    bound_port = sock.getsockname()[1]
    server = _EmbeddedServer(_uvicorn_config(app, host=host, port=bound_port))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="bonzo-sandbox")
    try:
        while not server.started:
            if task.done():
                raise RuntimeError("the Bonzo sandbox did not start") from task.exception()
            await asyncio.sleep(_STARTUP_POLL)
        url_host = f"[{host}]" if family == socket.AF_INET6 else host
        yield RunningSandbox(base_url=f"http://{url_host}:{bound_port}", sandbox=app.state.sandbox)
    finally:
        server.should_exit = True
        await task
        sock.close()
