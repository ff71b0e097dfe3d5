"""Row-level security: the app role sees and changes only the tenant set in its
transaction, nothing without one, and cannot switch the protection off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from pipeline.core.db import open_pool, tenant_transaction
from pipeline.core.settings import DatabaseSettings


@pytest.fixture
async def two_tenants(owner_conn: psycopg.AsyncConnection[Any]) -> tuple[UUID, UUID]:
    ids: list[UUID] = []
    for slug in ("acme-lending", "birch-mortgage"):
        cur = await owner_conn.execute(
            "INSERT INTO tenants (slug, name) VALUES (%s, %s) RETURNING id", [slug, slug.title()]
        )
        row = await cur.fetchone()
        assert row is not None
        ids.append(row[0])
        await owner_conn.execute(
            "INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint) VALUES (%s, 'ct', 'hint')",
            [row[0]],
        )
    return ids[0], ids[1]


@pytest.fixture
async def app_pool(database: DatabaseSettings) -> AsyncIterator[AsyncConnectionPool[Any]]:
    pool = await open_pool(database.app_conninfo(), min_size=1, max_size=1)
    yield pool
    await pool.close()


async def test_tenant_sees_only_its_own_rows(
    app_pool: AsyncConnectionPool[Any], two_tenants: tuple[UUID, UUID]
) -> None:
    _tenant_a, tenant_b = two_tenants
    async with tenant_transaction(app_pool, tenant_b) as conn:
        tenants = await (await conn.execute("SELECT id FROM tenants")).fetchall()
        endpoints = await (await conn.execute("SELECT tenant_id FROM bonzo_endpoints")).fetchall()

    assert tenants == [(tenant_b,)]
    assert endpoints == [(tenant_b,)]


async def test_rows_of_another_tenant_cannot_be_updated_or_deleted(
    app_pool: AsyncConnectionPool[Any],
    two_tenants: tuple[UUID, UUID],
    owner_conn: psycopg.AsyncConnection[Any],
) -> None:
    tenant_a, tenant_b = two_tenants
    async with tenant_transaction(app_pool, tenant_b) as conn:
        updated = await conn.execute(
            "UPDATE bonzo_endpoints SET url_hint = 'stolen' WHERE tenant_id = %s", [tenant_a]
        )
        deleted = await conn.execute("DELETE FROM bonzo_endpoints WHERE tenant_id = %s", [tenant_a])
        assert updated.rowcount == 0
        assert deleted.rowcount == 0

    row = await (
        await owner_conn.execute(
            "SELECT url_hint FROM bonzo_endpoints WHERE tenant_id = %s", [tenant_a]
        )
    ).fetchone()
    assert row == ("hint",)


async def test_a_row_cannot_be_written_for_another_tenant(
    app_pool: AsyncConnectionPool[Any],
    two_tenants: tuple[UUID, UUID],
    owner_conn: psycopg.AsyncConnection[Any],
) -> None:
    tenant_a, tenant_b = two_tenants
    await owner_conn.execute("DELETE FROM bonzo_endpoints WHERE tenant_id = %s", [tenant_a])

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with tenant_transaction(app_pool, tenant_b) as conn:
            await conn.execute(
                "INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint) VALUES (%s, 'x', 'x')",
                [tenant_a],
            )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        async with tenant_transaction(app_pool, tenant_b) as conn:
            await conn.execute("UPDATE bonzo_endpoints SET tenant_id = %s", [tenant_a])


async def test_without_a_tenant_no_rows_are_visible_or_writable(
    app_pool: AsyncConnectionPool[Any], two_tenants: tuple[UUID, UUID]
) -> None:
    async with app_pool.connection() as conn:
        assert await (await conn.execute("SELECT count(*) FROM tenants")).fetchone() == (0,)
        assert await (await conn.execute("SELECT count(*) FROM bonzo_endpoints")).fetchone() == (0,)
        assert (await conn.execute("UPDATE bonzo_endpoints SET url_hint = 'x'")).rowcount == 0


async def test_tenant_scope_does_not_leak_to_the_next_user_of_a_pooled_connection(
    app_pool: AsyncConnectionPool[Any], two_tenants: tuple[UUID, UUID]
) -> None:
    tenant_a, _ = two_tenants
    async with tenant_transaction(app_pool, tenant_a) as conn:
        assert await (await conn.execute("SELECT count(*) FROM tenants")).fetchone() == (1,)

    # max_size=1: this is the same physical connection.
    async with app_pool.connection() as conn:
        assert await (await conn.execute("SELECT count(*) FROM tenants")).fetchone() == (0,)
        setting = await (
            await conn.execute("SELECT current_setting('app.tenant_id', true)")
        ).fetchone()
        assert setting in {("",), (None,)}


async def test_app_role_cannot_disable_or_bypass_row_level_security(
    database: DatabaseSettings, two_tenants: tuple[UUID, UUID]
) -> None:
    async with await psycopg.AsyncConnection.connect(
        database.app_conninfo(), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("ALTER TABLE bonzo_endpoints DISABLE ROW LEVEL SECURITY")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("ALTER TABLE bonzo_endpoints NO FORCE ROW LEVEL SECURITY")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("DROP POLICY tenant_isolation ON bonzo_endpoints")
        await conn.execute("SET row_security = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            await conn.execute("SELECT * FROM bonzo_endpoints")
        role = await (
            await conn.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
        ).fetchone()
        assert role == (False, False)


async def test_app_role_cannot_create_tenants(database: DatabaseSettings) -> None:
    async with await psycopg.AsyncConnection.connect(
        database.app_conninfo(), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("INSERT INTO tenants (slug, name) VALUES ('rogue', 'Rogue')")


async def test_every_table_with_a_tenant_column_forces_row_level_security(
    owner_conn: psycopg.AsyncConnection[Any],
) -> None:
    cur = await owner_conn.execute(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND (c.relname = 'tenants' OR EXISTS (
              SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
        """
    )
    tables = await cur.fetchall()
    assert tables, "expected tenant tables"
    unprotected = [name for name, enabled, forced in tables if not (enabled and forced)]
    assert unprotected == []


async def test_partitions_of_tenant_tables_are_reachable_only_through_their_parent(
    owner_conn: psycopg.AsyncConnection[Any],
) -> None:
    cur = await owner_conn.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relispartition
          AND (has_table_privilege('leadgate_app', c.oid, 'SELECT')
               OR has_table_privilege('leadgate_app', c.oid, 'INSERT'))
        """
    )
    assert await cur.fetchall() == []


async def test_views_run_with_the_callers_rights(owner_conn: psycopg.AsyncConnection[Any]) -> None:
    cur = await owner_conn.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'v'
          AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
        """
    )
    assert await cur.fetchall() == []


async def test_slug_lookup_gives_the_app_role_one_id_and_nothing_else(
    database: DatabaseSettings, two_tenants: tuple[UUID, UUID]
) -> None:
    tenant_a, _ = two_tenants
    async with await psycopg.AsyncConnection.connect(
        database.app_conninfo(), autocommit=True
    ) as conn:
        assert await (
            await conn.execute("SELECT tenant_id_for_slug('acme-lending')")
        ).fetchone() == (tenant_a,)
        assert await (await conn.execute("SELECT tenant_id_for_slug('nope')")).fetchone() == (None,)
