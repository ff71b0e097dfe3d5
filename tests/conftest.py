"""Session-wide real services and per-test clean databases.

A migrated template database is built once per session; each test that asks for
``database`` gets a fresh clone of it (CREATE DATABASE ... TEMPLATE, ~tens of ms) and it is
dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import msgspec
import psycopg
import pytest
import redis
from psycopg import sql

from pipeline.core.migrate import ensure_database, migrate
from pipeline.core.settings import DatabaseSettings
from tests.support.services import postgres_for_tests, redis_for_tests

_SESSION_TAG = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def scratch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def postgres_server(scratch_dir: Path) -> Iterator[DatabaseSettings]:
    with postgres_for_tests(scratch_dir) as settings:
        yield settings


@pytest.fixture(scope="session")
def redis_server_url(scratch_dir: Path) -> Iterator[str]:
    with redis_for_tests(scratch_dir) as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """The tests' Redis database, emptied first: a job queued by an earlier test (for a
    database that no longer exists) must not reach this test's worker."""
    client = redis.Redis.from_url(redis_server_url)
    try:
        client.flushdb()
    finally:
        client.close()
    return redis_server_url


@pytest.fixture(scope="session")
def template_database(postgres_server: DatabaseSettings) -> Iterator[str]:
    name = f"lg_tmpl_{_SESSION_TAG}"

    async def build() -> None:
        await ensure_database(postgres_server.owner_conninfo(dbname="postgres"), name)
        await migrate(
            postgres_server.owner_conninfo(dbname=name),
            app_user=postgres_server.app_user,
            app_password=None,
        )

    asyncio.run(build())
    yield name
    _drop_database(postgres_server, name)


def _drop_database(server: DatabaseSettings, name: str) -> None:
    with psycopg.connect(server.owner_conninfo(dbname="postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def database(
    postgres_server: DatabaseSettings, template_database: str
) -> Iterator[DatabaseSettings]:
    """A migrated database of this test's own, as ``DatabaseSettings`` (owner + app role)."""
    name = f"lg_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        postgres_server.owner_conninfo(dbname="postgres"), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
            )
        )
    try:
        yield msgspec.structs.replace(postgres_server, dbname=name)
    finally:
        _drop_database(postgres_server, name)


@pytest.fixture
async def owner_conn(
    database: DatabaseSettings,
) -> AsyncIterator[psycopg.AsyncConnection[tuple[object, ...]]]:
    async with await psycopg.AsyncConnection.connect(
        database.owner_conninfo(), autocommit=True
    ) as conn:
        yield conn
