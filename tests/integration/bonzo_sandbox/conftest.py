"""Fixtures: real sandboxes on free loopback ports, real HTTP clients, a real event hook
receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar, Request, post

from gateway.bonzo_sandbox import RunningSandbox, SandboxConfig, running_sandbox

from .sandbox_helpers import API_TOKEN, WEBHOOK_ID, HookReceiver, StartSandbox, serving


@pytest.fixture
def start_sandbox() -> StartSandbox:
    """``async with start_sandbox(**config_fields) as running`` (a webhook and token preset)."""

    def start(**fields: Any) -> AbstractAsyncContextManager[RunningSandbox]:
        fields.setdefault("webhooks", (WEBHOOK_ID,))
        fields.setdefault("api_token", API_TOKEN)
        return running_sandbox(SandboxConfig(**fields))

    return start


@pytest.fixture
async def sandbox(start_sandbox: StartSandbox) -> AsyncIterator[RunningSandbox]:
    async with start_sandbox() as running:
        yield running


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        yield http


@pytest.fixture
async def hook_receiver() -> AsyncIterator[tuple[str, HookReceiver]]:
    """A leadgate-like ``/bonzo/events`` endpoint; yields its URL and what it received."""
    receiver = HookReceiver()

    @post("/bonzo/events", status_code=202)
    async def events(request: Request[Any, Any, Any]) -> None:
        await receiver.record(dict(request.headers), msgspec.json.decode(await request.body()))

    async with serving(Litestar([events], openapi_config=None, logging_config=None)) as url:
        yield f"{url}/bonzo/events", receiver
