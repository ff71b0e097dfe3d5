"""``leadgate ingest`` and ``leadgate failed export``: intake from the command line.

Both run as the app role inside the tenant's row-level-security scope, like the gateway.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import click
import psycopg

from gateway.commands.common import cli_settings
from gateway.runtime.services import running_services
from gateway.settings import Settings
from pipeline.intake.export import export_failed_csv
from pipeline.intake.service import IngestError, ingest
from pipeline.sources import SOURCE_NAMES, MappingError, SourceFormatError, load_mapping
from pipeline.tenants.repository import tenant_id_for_slug_sync

__all__ = ["failed", "ingest_command"]


@contextmanager
def _app_connection(
    settings: Settings, slug: str
) -> Iterator[tuple[psycopg.Connection[Any], UUID]]:
    with (
        running_services(settings, redis=False) as live,
        psycopg.connect(live.database.app_conninfo()) as conn,
    ):
        tenant_id = tenant_id_for_slug_sync(conn, slug=slug)
        conn.commit()
        if tenant_id is None:
            raise click.ClickException(
                f"no active tenant with slug {slug!r} (see `leadgate tenant list`)"
            )
        yield conn, tenant_id


@click.command("ingest")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option(
    "--source",
    required=True,
    type=click.Choice(SOURCE_NAMES, case_sensitive=False),
    help="Vendor layout.",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Column mapping (.toml or .json) for --source generic.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def ingest_command(slug: str, source: str, mapping_path: Path | None, file: Path) -> None:
    """Store FILE for a tenant, then parse, normalize, dedupe and load it.

    The raw file is committed first; re-ingesting the same file is a no-op. Accepted leads
    are queued for delivery to the tenant's Bonzo account.
    """
    settings = cli_settings(dev=True, operator=True)
    try:
        mapping = load_mapping(mapping_path) if mapping_path is not None else None
    except MappingError as exc:
        raise click.ClickException(str(exc)) from None
    size = file.stat().st_size
    with (
        _app_connection(settings, slug) as (conn, tenant_id),
        file.open("rb") as stream,
        click.progressbar(length=size, label=f"ingesting {file.name}", file=sys.stderr) as bar,
    ):
        done = 0

        def progress(_records: int) -> None:
            nonlocal done
            position = min(stream.tell(), size)
            bar.update(position - done)
            done = position

        try:
            outcome = ingest(
                conn,
                tenant_id=tenant_id,
                source=source.lower(),
                stream=stream,
                channel="cli",
                filename=file.name,
                mapping=mapping,
                on_progress=progress,
            )
        except (IngestError, SourceFormatError, MappingError) as exc:
            raise click.ClickException(str(exc)) from None
        bar.update(size - done)
    batch = outcome.batch
    if outcome.already_ingested:
        click.echo(f"batch {batch.id}: this file was already ingested ({batch.status})")
    if batch.status == "rejected":
        raise click.ClickException(f"batch {batch.id} rejected: {batch.error}")
    click.echo(
        f"batch {batch.id}: {batch.total_records} records: {batch.ok_count} ok, {batch.failed_count} failed, "
        f"{batch.duplicate_count} duplicate, {batch.held_count} held"
    )


@click.group()
def failed() -> None:
    """Records that could not become leads."""


@failed.command("export")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--batch", "batch_id", type=click.UUID, help="Only this ingest batch.")
def failed_export(slug: str, batch_id: UUID | None) -> None:
    """Write failed records with their errors as CSV to stdout (formula cells neutralized)."""
    settings = cli_settings(dev=True, operator=True)
    with _app_connection(settings, slug) as (conn, tenant_id):
        count = export_failed_csv(conn, sys.stdout, tenant_id=tenant_id, batch_id=batch_id)
    click.echo(f"{count} failed records exported", err=True)
