"""``leadgate source secret``: the signing secret a vendor uses to post to
``/ingest/{source}`` without an API key (Standard Webhooks signatures)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import click

from gateway.commands.common import cli_settings
from gateway.ingest.auth import secret_context
from gateway.ingest.controller import API_SOURCES
from gateway.ingest.repository import rotate_webhook_secret
from gateway.ingest.signature import generate_secret
from gateway.runtime.services import running_services
from gateway.settings import Settings
from pipeline.core.db import open_pool, system_transaction, tenant_transaction
from pipeline.tenants.repository import tenant_id_for_slug
from tenant_auth.core.secretbox import SecretBox

__all__ = ["PREVIOUS_SECRET_GRACE", "source"]

PREVIOUS_SECRET_GRACE = timedelta(hours=24)


@click.group()
def source() -> None:
    """Vendor sources that post leads to /ingest/{source}."""


@source.command("secret")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option(
    "--source",
    "source_name",
    required=True,
    type=click.Choice(API_SOURCES, case_sensitive=False),
    help="The source the vendor posts as.",
)
@click.option(
    "--revoke-previous",
    is_flag=True,
    help="Stop accepting the previous secret at once (it leaked); by default it keeps "
    "verifying for 24 hours so the vendor can switch.",
)
def secret_command(slug: str, source_name: str, revoke_previous: bool) -> None:
    """Create (or rotate) the tenant's signing secret for SOURCE and print it once.

    Give the printed whsec_... secret to the vendor; requests then carry webhook-tenant:
    SLUG, webhook-id, webhook-timestamp and webhook-signature headers. Only an encrypted
    copy is kept: a lost secret is replaced, never shown again.
    """
    settings = cli_settings(dev=True, operator=True)
    box = SecretBox.from_secret_key(settings.auth.secret_key)
    secret = generate_secret()
    grace = None if revoke_previous else PREVIOUS_SECRET_GRACE
    with running_services(settings, redis=False) as live:
        asyncio.run(_rotate(live, slug, source_name.lower(), box, secret, grace))
    click.echo(secret)
    click.echo(
        f"signing secret for {slug}/{source_name.lower()} (shown once; "
        + (
            "the previous one stopped working)"
            if revoke_previous
            else "a previous one keeps working for 24 h)"
        ),
        err=True,
    )


async def _rotate(
    settings: Settings,
    slug: str,
    source_name: str,
    box: SecretBox,
    secret: str,
    grace: timedelta | None,
) -> None:
    pool = await open_pool(settings.database.app_conninfo(), min_size=1, max_size=1)
    try:
        async with system_transaction(pool) as conn:
            tenant_id = await tenant_id_for_slug(conn, slug=slug)
        if tenant_id is None:
            raise click.ClickException(f"no active tenant with slug {slug!r}")
        async with tenant_transaction(pool, tenant_id) as conn:
            await rotate_webhook_secret(
                conn,
                tenant_id=tenant_id,
                source=source_name,
                secret_ciphertext=box.encrypt(
                    secret, context=secret_context(tenant_id, source_name)
                ),
                previous_grace=grace,
            )
    finally:
        await pool.close()
