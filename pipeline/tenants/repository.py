"""Tenant rows in PostgreSQL. Creating and listing tenants is operator work done on the
owner's connection; the app role can only read its own tenant row."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg.rows import dict_row

from pipeline.core.db import Connection
from pipeline.core.queries import load_queries
from pipeline.tenants.schemas import Tenant

__all__ = [
    "get_tenant",
    "insert_tenant",
    "list_tenants",
    "tenant_id_for_slug",
    "tenant_id_for_slug_sync",
    "upsert_bonzo_endpoint",
]

queries = load_queries("pipeline.tenants")


async def insert_tenant(conn: Connection, *, slug: str, name: str) -> Tenant:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(queries["insert_tenant"], {"slug": slug, "name": name})
    row = await cur.fetchone()
    assert row is not None
    return msgspec.convert(row, Tenant)


async def list_tenants(conn: Connection) -> list[Tenant]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(queries["list_tenants"])
    return msgspec.convert(await cur.fetchall(), list[Tenant])


async def get_tenant(conn: Connection, *, tenant_id: UUID) -> Tenant | None:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(queries["get_tenant"], {"tenant_id": tenant_id})
    row = await cur.fetchone()
    return None if row is None else msgspec.convert(row, Tenant)


async def upsert_bonzo_endpoint(
    conn: Connection, *, tenant_id: UUID, url_ciphertext: str, url_hint: str
) -> None:
    await conn.execute(
        queries["upsert_bonzo_endpoint"],
        {"tenant_id": tenant_id, "url_ciphertext": url_ciphertext, "url_hint": url_hint},
    )


async def tenant_id_for_slug(conn: Connection, *, slug: str) -> UUID | None:
    cur = await conn.execute(queries["tenant_id_for_slug"], {"slug": slug})
    row = await cur.fetchone()
    return None if row is None else row[0]


def tenant_id_for_slug_sync(conn: psycopg.Connection[Any], *, slug: str) -> UUID | None:
    """Blocking twin of ``tenant_id_for_slug`` for CLI commands and bulk jobs."""
    row = conn.execute(queries["tenant_id_for_slug"], {"slug": slug}).fetchone()
    return None if row is None else row[0]
