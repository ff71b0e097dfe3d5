"""Shared pieces of the sandbox integration tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import uvicorn
from litestar import Litestar

from gateway.bonzo_sandbox import RunningSandbox

WEBHOOK_ID = "0123456789abcdef0123456789abcdef"
OTHER_WEBHOOK_ID = "fedcba9876543210fedcba9876543210"
API_TOKEN = "sandbox-test-token"
HOOK_CODE = "bonzo-code-test"
WAIT = 10.0  # seconds before a test waiting for an event gives up

T = TypeVar("T")

StartSandbox = Callable[..., AbstractAsyncContextManager[RunningSandbox]]
"""The ``start_sandbox`` fixture: ``async with start_sandbox(**config_fields) as running``."""


def lead_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "first_name": "Mary",
        "last_name": "Example",
        "phone": "5555550100",
        "email": "mary@example.com",
        "external_id": "lg-1",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


class HookReceiver:
    """Collects event hook deliveries (headers, decoded body) as they arrive."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._arrived = asyncio.Condition()

    async def record(self, headers: dict[str, str], body: dict[str, Any]) -> None:
        async with self._arrived:
            self.deliveries.append((headers, body))
            self._arrived.notify_all()

    async def wait_for(self, count: int) -> list[tuple[dict[str, str], dict[str, Any]]]:
        """The first ``count`` deliveries, once they have arrived."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.deliveries) >= count), WAIT
            )
            return self.deliveries[:count]


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # pytest owns the signals
        yield


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _QuietServer(
        uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", port=port)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), "receiver did not start"
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def eventually(check: Callable[[], Awaitable[T | None]]) -> T:
    """Poll ``check`` until it returns something other than ``None``; fail after ``WAIT``."""

    async def poll() -> T:
        while True:
            result = await check()
            if result is not None:
                return result
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), WAIT)
