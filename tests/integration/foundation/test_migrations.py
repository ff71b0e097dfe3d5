from __future__ import annotations

import asyncio
import uuid

import msgspec
import psycopg
import psycopg.conninfo
import pytest
from psycopg import sql

from pipeline.core import migrate as migrate_module
from pipeline.core.db import tenant_transaction_sync
from pipeline.core.migrate import (
    Migration,
    MigrationError,
    available_migrations,
    ensure_database,
    migrate,
)
from pipeline.core.settings import DatabaseSettings
from pipeline.leads.repository import queries as lead_queries


@pytest.fixture
def empty_database(postgres_server: DatabaseSettings):
    name = f"lg_m_{uuid.uuid4().hex[:12]}"
    asyncio.run(ensure_database(postgres_server.owner_conninfo(dbname="postgres"), name))
    yield postgres_server.owner_conninfo(dbname=name)
    with psycopg.connect(
        postgres_server.owner_conninfo(dbname="postgres"), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


async def test_migrations_apply_once_and_second_run_is_a_no_op(
    empty_database: str, postgres_server: DatabaseSettings
) -> None:
    first = await migrate(empty_database, app_user=postgres_server.app_user, app_password=None)
    second = await migrate(empty_database, app_user=postgres_server.app_user, app_password=None)

    assert [m.version for m in first] == [m.version for m in available_migrations()]
    assert second == []
    async with await psycopg.AsyncConnection.connect(empty_database) as conn:
        cur = await conn.execute("SELECT count(*) FROM schema_migrations")
        assert (await cur.fetchone()) == (len(first),)


async def test_concurrent_migrations_apply_each_file_exactly_once(
    empty_database: str, postgres_server: DatabaseSettings
) -> None:
    results = await asyncio.gather(
        *(
            migrate(empty_database, app_user=postgres_server.app_user, app_password=None)
            for _ in range(3)
        )
    )

    applied_versions = sorted(m.version for result in results for m in result)
    assert applied_versions == [m.version for m in available_migrations()]


async def test_an_applied_migration_that_was_edited_is_refused(
    empty_database: str, postgres_server: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await migrate(empty_database, app_user=postgres_server.app_user, app_password=None)
    edited = [Migration(m.version, m.name, m.sql + "\n-- edited") for m in available_migrations()]
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: edited)

    with pytest.raises(MigrationError, match="was changed after it was applied"):
        await migrate(empty_database, app_user=postgres_server.app_user, app_password=None)


async def test_a_superuser_app_role_is_refused(
    empty_database: str, postgres_server: DatabaseSettings
) -> None:
    with pytest.raises(MigrationError, match="must be subject to row-level security"):
        await migrate(
            empty_database, app_user=postgres_server.owner_user or "postgres", app_password=None
        )


async def test_ensure_database_reports_whether_it_created(
    postgres_server: DatabaseSettings,
) -> None:
    name = f"lg_e_{uuid.uuid4().hex[:12]}"
    maintenance = postgres_server.owner_conninfo(dbname="postgres")
    try:
        assert await ensure_database(maintenance, name) is True
        assert await ensure_database(maintenance, name) is False
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


async def test_leads_loaded_before_0011_keep_their_order_and_their_unique_record_numbers(
    empty_database: str, postgres_server: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = available_migrations()
    monkeypatch.setattr(
        migrate_module, "available_migrations", lambda: [m for m in every if m.version < 11]
    )
    await migrate(empty_database, app_user=postgres_server.app_user, app_password=None)
    # A batch as the 0010 loader left it: leads with random ids, in no relation to their order.
    with psycopg.connect(empty_database, autocommit=True) as owner:
        tenant, batch = owner.execute(
            """
            WITH t AS (INSERT INTO tenants (slug, name) VALUES ('old-co', 'Old Co') RETURNING id)
            INSERT INTO ingest_batches (tenant_id, source, channel, content_sha256, byte_size,
                                        status, leads_received_at)
            SELECT id, 'leadsource', 'cli', 'sha', 1, 'done', now() FROM t
            RETURNING tenant_id, id
            """
        ).fetchone() or (None, None)
        insert_lead = (
            "INSERT INTO leads (id, tenant_id, batch_id, record_number, source, status,"
            " lead_kind, raw) VALUES (gen_random_uuid(), %s, %s, %s, 'leadsource', 'ok',"
            " 'standard', '[]')"
        )
        for record in (3, 1, 2):
            owner.execute(insert_lead, [tenant, batch, record])
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: every)

    applied = await migrate(empty_database, app_user=postgres_server.app_user, app_password=None)

    assert [m.version for m in applied] == [m.version for m in every if m.version >= 11]
    database = msgspec.structs.replace(
        postgres_server, dbname=psycopg.conninfo.conninfo_to_dict(empty_database)["dbname"]
    )
    with psycopg.connect(database.app_conninfo()) as conn, tenant_transaction_sync(conn, tenant):
        listed = conn.execute(
            lead_queries["list_leads"],
            {
                "tenant_id": tenant,
                **dict.fromkeys(["source", "status", "state", "batch_id", "since", "until"]),
                **dict.fromkeys(["after_at", "after_batch", "after_record"]),
                "limit": 10,
            },
        ).fetchall()
        assert [row[2] for row in listed] == [1, 2, 3]
    with (
        psycopg.connect(empty_database, autocommit=True) as owner,
        pytest.raises(psycopg.errors.UniqueViolation, match="leads_record_key_v7"),
    ):
        owner.execute(insert_lead, [tenant, batch, 2])
