"""``leadgate tenant``: client companies, their identity databases and Bonzo event hooks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from gateway.commands.bonzo_events import bonzo_code
from gateway.commands.common import cli_settings
from gateway.settings import Settings
from tenant_auth.command import tenant_commands

__all__ = ["tenant"]

T = TypeVar("T")


@click.group()
def tenant() -> None:
    """Tenants (client companies): create, list, their identity databases, OIDC providers,
    Bonzo event-hook codes, Turso tokens and secret-key rotation."""


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
            asyncio.run(migrate_database(live))
            return asyncio.run(action(live))
        except TenantError as exc:
            raise click.ClickException(str(exc)) from None


tenant.add_command(bonzo_code)
for _command in tenant_commands:
    tenant.add_command(_command)
