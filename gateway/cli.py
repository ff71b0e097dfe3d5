"""The ``leadgate`` command line: one entry point for operators, vendors' scripts and dev."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from gateway.core.logging import configure_logging
from gateway.settings import Settings, SettingsError, load_settings

__all__ = ["main"]

T = TypeVar("T")


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``with`` blocks stop embedded services. uvicorn
    re-raises the signal after a graceful shutdown; the default action would kill the
    process before PostgreSQL and Redis are stopped."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def _settings(*, dev: bool = False, operator: bool = False) -> Settings:
    try:
        # A generated key is only acceptable on the embedded default: encrypting production
        # secrets with a key nobody configured would lose them at the next deploy.
        settings = load_settings(generate_missing_secret=dev and not os.environ.get("PGHOST"))
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    # One-shot operator commands print their result; their logs only matter when wrong.
    quiet = operator and "LEADGATE_LOG_LEVEL" not in os.environ
    configure_logging("WARNING" if quiet else settings.log_level)
    _exit_on_sigterm()
    return settings


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="leadgate")
def cli() -> None:
    """leadgate: take leads from every vendor, normalize them, deliver them to Bonzo.

    Configuration comes from the environment (PGHOST, PGPORT, PGDATABASE, PGUSER,
    PGPASSWORD, REDIS_URL, LEADGATE_DATA_DIR, LEADGATE_SECRET_KEY, LEADGATE_REGISTRY_URL,
    LEADGATE_HOST, LEADGATE_PORT; see the README). With no PGHOST or REDIS_URL, an embedded
    PostgreSQL and Redis are started under the data directory.
    """


@cli.command()
@click.option("--host", help="Bind address (default LEADGATE_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default LEADGATE_PORT or 8000).")
def dev(host: str | None, port: int | None) -> None:
    """Everything in one process: embedded services, migrations, gateway and worker.

    Prints the URL when ready; Ctrl-C stops everything (embedded PostgreSQL and Redis
    included). Data persists in LEADGATE_DATA_DIR (default ./.leadgate).
    """
    from gateway.runtime.dev import run_dev

    settings = _settings(dev=True)
    try:
        run_dev(settings, host=host, port=port)
    except KeyboardInterrupt:
        click.echo("leadgate dev stopped", err=True)


@cli.command()
def serve() -> None:
    """Run the HTTP gateway (production). Migrate first with `leadgate migrate`."""
    from gateway.runtime.processes import build_server
    from gateway.runtime.services import running_services

    settings = _settings()
    with running_services(settings) as live, contextlib.suppress(KeyboardInterrupt):
        _run(build_server(live).serve())


@cli.command()
def worker() -> None:
    """Run a delivery worker (production). Stops cleanly on SIGINT/SIGTERM."""
    from gateway.runtime.processes import run_worker
    from gateway.runtime.services import running_services

    settings = _settings()
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

    settings = _settings(dev=True, operator=True)
    with running_services(settings, redis=False) as live:
        applied = _run(migrate_database(live))
    if applied:
        for migration in applied:
            click.echo(f"applied {migration.version:04d}_{migration.name}")
    else:
        click.echo("schema is up to date")


@cli.group()
def tenant() -> None:
    """Create and list tenants (client companies)."""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name of the client company.")
@click.option(
    "--bonzo-webhook-url", help="The tenant's Bonzo inbound webhook URL (stored encrypted)."
)
def tenant_create(slug: str, name: str, bonzo_webhook_url: str | None) -> None:
    """Create tenant SLUG in PostgreSQL and its identity database in the registry."""
    from gateway.runtime.tenants import create_tenant_everywhere
    from tenant_auth.core.secretbox import SecretBox

    settings = _settings(dev=True, operator=True)
    cipher = SecretBox.from_secret_key(settings.auth.secret_key)
    tenant_row = _run_operator(
        settings,
        lambda live: create_tenant_everywhere(
            live, slug=slug, name=name, bonzo_webhook_url=bonzo_webhook_url, cipher=cipher
        ),
    )
    click.echo(f"created tenant {tenant_row.slug} ({tenant_row.id})")


@tenant.command("list")
def tenant_list() -> None:
    """List tenants: slug, id, status, name."""
    from gateway.runtime.tenants import list_all_tenants

    settings = _settings(dev=True, operator=True)
    rows = _run_operator(settings, list_all_tenants)
    for row in rows:
        click.echo(f"{row.slug}\t{row.id}\t{row.status}\t{row.name}")


def _run_operator(settings: Settings, action: Callable[[Settings], Coroutine[Any, Any, T]]) -> T:
    from gateway.runtime.services import migrate_database, running_services
    from pipeline.tenants.service import TenantError

    with running_services(settings, redis=False) as live:
        try:
            _run(migrate_database(live))
            return _run(action(live))
        except TenantError as exc:
            raise click.ClickException(str(exc)) from None


def main() -> None:
    try:
        cli(prog_name="leadgate")
    except SettingsError as exc:  # pragma: no cover - _settings converts these
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
