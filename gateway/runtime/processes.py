"""Run the gateway (uvicorn) and the worker (arq), alone or together in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable

import uvicorn
from arq.worker import Worker

from gateway.app import create_app
from gateway.core.resources import redis_settings
from gateway.settings import Settings
from pipeline.worker import WorkerDeps, worker_settings
from tenant_auth.core.secretbox import SecretBox

__all__ = [
    "build_server",
    "build_worker",
    "run_gateway_and_worker",
    "run_worker",
    "serve_until_signal",
]

log = logging.getLogger(__name__)


def build_server(settings: Settings) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http.host,
        port=settings.http.port,
        log_config=None,  # our JSON logging is already configured
        access_log=False,
        proxy_headers=True,
        server_header=False,
        lifespan="on",
    )
    return uvicorn.Server(config)


def build_worker(settings: Settings) -> Worker:
    assert settings.redis.url is not None
    deps = WorkerDeps(
        database=settings.database,
        redis=redis_settings(settings.redis.url),
        worker=settings.worker,
        cipher=SecretBox.from_secret_key(settings.auth.secret_key),
    )
    return Worker(**worker_settings(deps))


async def serve_until_signal(server: uvicorn.Server) -> None:
    """Serve until SIGINT or SIGTERM, then shut down in order (lifespan shutdown included).

    uvicorn's own signal capture re-raises the signal after serving, which inside
    ``asyncio.run`` turns a clean Ctrl-C into a KeyboardInterrupt in the middle of the
    shutdown. Here the loop's handlers ask the server to exit, and stay installed until
    the loop closes: a terminal's Ctrl-C reaches both ``uv run`` and us, and uv forwards
    it, so a second signal within a second is the same request. A later one forces exit.
    """
    loop = asyncio.get_running_loop()
    first_signal_at: float | None = None

    def stop() -> None:
        nonlocal first_signal_at
        now = time.monotonic()
        if first_signal_at is None:
            first_signal_at = now
            server.should_exit = True
        elif now - first_signal_at > 1.0:
            server.force_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    await server.serve()


async def run_gateway_and_worker(
    settings: Settings, *, on_ready: Callable[[str], Awaitable[None] | None] | None = None
) -> None:
    """Serve until SIGINT/SIGTERM, then stop the worker."""
    server = build_server(settings)
    worker = build_worker(settings)
    worker_task = asyncio.create_task(worker.async_run(), name="leadgate-worker")

    async def announce() -> None:
        while not server.started:
            if worker_task.done() or server.should_exit:
                return
            await asyncio.sleep(0.05)
        if on_ready is not None:
            result = on_ready(settings.http.base_url)
            if asyncio.iscoroutine(result):
                await result

    announcer = asyncio.create_task(announce())
    try:
        await serve_until_signal(server)
    finally:
        announcer.cancel()
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task
        await worker.close()


async def run_worker(settings: Settings) -> None:
    worker = build_worker(settings)
    try:
        await worker.async_run()
    finally:
        await worker.close()
