"""``leadgate deliveries replay``: send failed, dead (or, with --force, delivered) leads
to Bonzo again."""

from __future__ import annotations

import asyncio
from datetime import datetime
from uuid import UUID

import click

from gateway.commands.common import cli_settings
from gateway.core.resources import redis_settings
from gateway.runtime.services import running_services
from gateway.settings import Settings
from pipeline.core.db import open_pool, system_transaction
from pipeline.delivery.jobs import enqueue_deliveries
from pipeline.delivery.service import ReplayRefused, replay
from pipeline.tenants.repository import tenant_id_for_slug
from pipeline.worker import create_queue

__all__ = ["deliveries"]


@click.group()
def deliveries() -> None:
    """Deliveries of leads to Bonzo."""


@deliveries.command("replay")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--lead", "lead_id", type=click.UUID, help="Only this lead.")
@click.option("--batch", "batch_id", type=click.UUID, help="Only leads of this ingest batch.")
@click.option("--source", help="Only leads from this source.")
@click.option(
    "--since", type=click.DateTime(), help="Only deliveries that changed since (ISO time, UTC)."
)
@click.option("--force", is_flag=True, help="Also send leads that were already delivered.")
def replay_command(
    slug: str,
    lead_id: UUID | None,
    batch_id: UUID | None,
    source: str | None,
    since: datetime | None,
    force: bool,
) -> None:
    """Queue failed and dead deliveries again (trigger "replay"); every filter narrows."""
    settings = cli_settings(dev=True, operator=True)
    with running_services(settings) as live:
        try:
            count = asyncio.run(_replay(live, slug, lead_id, batch_id, source, since, force))
        except ReplayRefused as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{count} deliveries queued for replay")


async def _replay(
    settings: Settings,
    slug: str,
    lead_id: UUID | None,
    batch_id: UUID | None,
    source: str | None,
    since: datetime | None,
    force: bool,
) -> int:
    pool = await open_pool(settings.database.app_conninfo(), min_size=1, max_size=2)
    try:
        async with system_transaction(pool) as conn:
            tenant_id = await tenant_id_for_slug(conn, slug=slug)
        if tenant_id is None:
            raise click.ClickException(f"no active tenant with slug {slug!r}")
        ids = await replay(
            pool,
            tenant_id=tenant_id,
            lead_id=lead_id,
            batch_id=batch_id,
            source=source,
            since=since,
            force=force,
        )
    finally:
        await pool.close()
    if ids and settings.redis.url is not None:
        redis = await create_queue(redis_settings(settings.redis.url))
        try:
            await enqueue_deliveries(redis, tenant_id, ids)
        finally:
            await redis.aclose()
    return len(ids)
