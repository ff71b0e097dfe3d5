"""Run the gateway (uvicorn) and the worker (arq), alone or together in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import uvicorn
from arq.worker import Worker

from gateway.app import create_app
from gateway.core.resources import redis_settings
from gateway.settings import Settings
from pipeline.worker import WorkerDeps, worker_settings
from tenant_auth.core.secretbox import SecretBox

__all__ = ["build_server", "build_worker", "run_gateway_and_worker", "run_worker"]

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


async def run_gateway_and_worker(
    settings: Settings, *, on_ready: Callable[[str], Awaitable[None] | None] | None = None
) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn handles them), then stop the worker."""
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
        await server.serve()
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
