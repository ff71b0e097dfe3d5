"""``leadgate tenant bonzo-code SLUG``: set the code a tenant's Bonzo event hooks send.

Bonzo sends the code as ``x-bonzo-code`` with every event hook; leadgate keeps it
encrypted (LEADGATE_SECRET_KEY) and prints a generated one exactly once.
"""

from __future__ import annotations

import asyncio
import sys

import click

from gateway.commands.common import cli_settings
from gateway.runtime.services import migrate_database, running_services
from gateway.settings import Settings
from pipeline.core.db import open_pool, system_transaction
from pipeline.journey.service import InvalidEventCode, new_event_code, set_event_code
from pipeline.tenants.repository import tenant_id_for_slug
from tenant_auth.core.secretbox import SecretBox

__all__ = ["bonzo_code"]


@click.command("bonzo-code")
@click.argument("slug")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the code from standard input (e.g. the one Bonzo shows) instead of generating one.",
)
def bonzo_code(slug: str, from_stdin: bool) -> None:
    """Set the x-bonzo-code for tenant SLUG's Bonzo event hooks, replacing any other.

    Without --stdin a new random code is generated and printed once; it is stored
    encrypted and cannot be shown again. Configure Bonzo's Event Hooks with the printed URL
    and the code.
    """
    settings = cli_settings(dev=True, operator=True)
    code = sys.stdin.readline().strip() if from_stdin else new_event_code()
    with running_services(settings, redis=False) as live:
        try:
            asyncio.run(_store(live, slug, code))
        except InvalidEventCode as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"event hook URL: {live.http.base_url}/bonzo/events/{slug}")
    if from_stdin:
        click.echo("event hook code: stored")
    else:
        click.echo(f"event hook code: {code}")
        click.echo("(shown once: paste it into Bonzo's Event Hooks now)", err=True)


async def _store(settings: Settings, slug: str, code: str) -> None:
    await migrate_database(settings)
    cipher = SecretBox.from_secret_key(settings.auth.secret_key)
    pool = await open_pool(settings.database.app_conninfo(), min_size=1, max_size=1)
    try:
        async with system_transaction(pool) as conn:
            tenant_id = await tenant_id_for_slug(conn, slug=slug)
        if tenant_id is None:
            raise click.ClickException(
                f"no active tenant with slug {slug!r} (see `leadgate tenant list`)"
            )
        await set_event_code(pool, cipher, tenant_id=tenant_id, code=code)
    finally:
        await pool.close()
