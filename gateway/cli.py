"""The ``leadgate`` command line: one entry point for operators, vendors' scripts and dev."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from gateway.commands.common import cli_settings
from gateway.commands.lazy import LazyGroup
from gateway.settings import SettingsError
from tenant_auth.core.cli import AUTH_SETTINGS_FACTORY

__all__ = ["main"]

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


# Commands whose modules are heavy are imported when they run (see LazyGroup).
_LAZY_COMMANDS = {
    "normalize": "pipeline.sources.command:normalize_command",
    "ingest": "gateway.commands.intake:ingest_command",
    "failed": "gateway.commands.intake:failed",
    "tenant": "gateway.commands.tenants:tenant",
    "bonzo-sandbox": "gateway.bonzo_sandbox.command:bonzo_sandbox_command",
    "deliveries": "gateway.commands.deliveries:deliveries",
    "source": "gateway.commands.sources:source",
    "user": "tenant_auth.command:user",
    "apikey": "tenant_auth.command:apikey",
    "link": "tenant_auth.command:link",
    "audit": "tenant_auth.command:audit",
}


@click.group(
    cls=LazyGroup,
    lazy=_LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="leadgate")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """leadgate: take leads from every vendor, normalize them, deliver them to Bonzo.

    Configuration comes from the environment (PGHOST, PGPORT, PGDATABASE, PGUSER,
    PGPASSWORD, REDIS_URL, LEADGATE_DATA_DIR, LEADGATE_SECRET_KEY, LEADGATE_REGISTRY_URL,
    LEADGATE_HOST, LEADGATE_PORT; see the README). With no PGHOST or REDIS_URL, an embedded
    PostgreSQL and Redis are started under the data directory.
    """
    ctx.meta[AUTH_SETTINGS_FACTORY] = lambda: cli_settings(dev=True, operator=True).auth


@cli.command()
@click.option("--host", help="Bind address (default LEADGATE_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default LEADGATE_PORT or 8000).")
def dev(host: str | None, port: int | None) -> None:
    """Everything in one process: embedded services, migrations, gateway and worker.

    Prints the URL when ready; Ctrl-C stops everything (embedded PostgreSQL and Redis
    included). Data persists in LEADGATE_DATA_DIR (default ./.leadgate).
    """
    from gateway.runtime.dev import run_dev

    settings = cli_settings(dev=True)
    # A Ctrl-C before the server is up (while the embedded services start) interrupts.
    with contextlib.suppress(KeyboardInterrupt):
        run_dev(settings, host=host, port=port)
    click.echo("leadgate dev stopped", err=True)


@cli.command()
def serve() -> None:
    """Run the HTTP gateway (production). Migrate first with `leadgate migrate`."""
    from gateway.runtime.processes import build_server, serve_until_signal
    from gateway.runtime.services import running_services

    settings = cli_settings()
    with running_services(settings) as live:
        _run(serve_until_signal(build_server(live)))


@cli.command()
def worker() -> None:
    """Run a delivery worker (production). Stops cleanly on SIGINT/SIGTERM."""
    from gateway.runtime.processes import run_worker
    from gateway.runtime.services import running_services

    settings = cli_settings()
    with running_services(settings) as live:
        _run(_until_signal(lambda: run_worker(live)))


async def _until_signal(start: Callable[[], Coroutine[Any, Any, None]]) -> None:
    task = asyncio.create_task(start())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


@cli.command()
def migrate() -> None:
    """Create the database if needed and apply pending migrations (safe to re-run)."""
    from gateway.runtime.services import migrate_database, running_services

    settings = cli_settings(dev=True, operator=True)
    with running_services(settings, redis=False) as live:
        applied = _run(migrate_database(live))
    if applied:
        for migration in applied:
            click.echo(f"applied {migration.version:04d}_{migration.name}")
    else:
        click.echo("schema is up to date")


def main() -> None:
    try:
        cli(prog_name="leadgate")
    except SettingsError as exc:  # pragma: no cover - _settings converts these
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
