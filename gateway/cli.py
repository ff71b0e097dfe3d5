"""The ``leadgate`` command line: one entry point for operators, vendors' scripts and dev."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from gateway.bonzo_sandbox.command import bonzo_sandbox_command
from gateway.commands.bonzo_events import bonzo_code
from gateway.commands.common import cli_settings
from gateway.commands.deliveries import deliveries
from gateway.commands.intake import failed, ingest_command
from gateway.commands.sources import source
from gateway.settings import Settings, SettingsError
from pipeline.sources.command import normalize_command
from tenant_auth.command import AUTH_SETTINGS_FACTORY
from tenant_auth.command import add_commands as add_tenant_auth_commands

__all__ = ["main"]

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


@cli.group()
def tenant() -> None:
    """Create and list tenants (client companies)."""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name of the client company.")
@click.option(
    "--bonzo-webhook-url", help="The tenant's Bonzo inbound webhook URL (stored encrypted)."
)
@click.option(
    "--turso", is_flag=True, help="Create the identity database on Turso (LEADGATE_TURSO_*)."
)
def tenant_create(slug: str, name: str, bonzo_webhook_url: str | None, turso: bool) -> None:
    """Create tenant SLUG in PostgreSQL and its identity database in the registry."""
    from gateway.runtime.tenants import create_tenant_everywhere
    from tenant_auth.core.secretbox import SecretBox

    settings = cli_settings(dev=True, operator=True)
    cipher = SecretBox.from_secret_key(settings.auth.secret_key)
    tenant_row = _run_operator(
        settings,
        lambda live: create_tenant_everywhere(
            live,
            slug=slug,
            name=name,
            bonzo_webhook_url=bonzo_webhook_url,
            cipher=cipher,
            turso=turso,
        ),
    )
    click.echo(f"created tenant {tenant_row.slug} ({tenant_row.id})")


@tenant.command("list")
def tenant_list() -> None:
    """List tenants: slug, id, status, name."""
    from gateway.runtime.tenants import list_all_tenants

    settings = cli_settings(dev=True, operator=True)
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


tenant.add_command(bonzo_code)
cli.add_command(normalize_command)
cli.add_command(ingest_command)
cli.add_command(failed)
cli.add_command(bonzo_sandbox_command)
cli.add_command(deliveries)
cli.add_command(source)
add_tenant_auth_commands(cli)


def main() -> None:
    try:
        cli(prog_name="leadgate")
    except SettingsError as exc:  # pragma: no cover - _settings converts these
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)
