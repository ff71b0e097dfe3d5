"""Create tenants for tests directly in PostgreSQL (as the owner, like the CLI does)."""

from __future__ import annotations

from uuid import UUID

import psycopg

from pipeline.core.settings import DatabaseSettings


def create_tenant(database: DatabaseSettings, slug: str, **settings: object) -> UUID:
    columns = ["slug", "name", *settings]
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as conn:
        placeholders = ", ".join(["%s"] * len(columns))
        row = conn.execute(
            f"INSERT INTO tenants ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id",
            [slug, slug.replace("-", " ").title(), *settings.values()],
        ).fetchone()
    assert row is not None
    tenant_id: UUID = row[0]
    return tenant_id
