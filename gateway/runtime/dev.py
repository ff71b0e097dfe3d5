"""``leadgate dev``: the whole product in one process on the embedded default."""

from __future__ import annotations

import asyncio
import sys

import msgspec

from gateway.runtime.processes import run_gateway_and_worker
from gateway.runtime.services import migrate_database, running_services
from gateway.settings import Settings

__all__ = ["run_dev"]


def run_dev(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    if host is not None or port is not None:
        http = msgspec.structs.replace(
            settings.http,
            host=host or settings.http.host,
            port=settings.http.port if port is None else port,
        )
        settings = msgspec.structs.replace(settings, http=http)
    with running_services(settings) as live:
        asyncio.run(_dev(live))


async def _dev(settings: Settings) -> None:
    await migrate_database(settings)

    def announce(url: str) -> None:
        print(
            f"leadgate dev is ready at {url}  (Ctrl-C stops everything)",
            file=sys.stderr,
            flush=True,
        )

    await run_gateway_and_worker(settings, on_ready=announce)
