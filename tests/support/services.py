"""Find the PostgreSQL and Redis the tests use: the ones the environment names, else the
machine's defaults on 127.0.0.1, else embedded ones started for the session. A fresh
machine with nothing installed therefore runs the whole suite too."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from pipeline.core.settings import DatabaseSettings


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _embedded_only() -> bool:
    """``LEADGATE_TEST_SERVICES=embedded`` ignores the machine's servers, to check what a
    fresh machine without PostgreSQL or Redis runs."""
    return os.environ.get("LEADGATE_TEST_SERVICES") == "embedded"


def _external_database() -> DatabaseSettings | None:
    if _embedded_only():
        return None
    host = os.environ.get("PGHOST") or ("127.0.0.1" if _reachable("127.0.0.1", 5432) else None)
    if host is None:
        return None
    candidate = DatabaseSettings(
        host=host,
        port=int(os.environ.get("PGPORT") or 5432),
        dbname="postgres",
        owner_user=os.environ.get("PGUSER") or "postgres",
        owner_password=os.environ.get("PGPASSWORD") or None,
        app_user="leadgate_test_app",
    )
    try:
        with psycopg.connect(
            candidate.owner_conninfo(dbname="postgres"), connect_timeout=3
        ) as conn:
            row = conn.execute(
                "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
    except psycopg.OperationalError:
        return None
    return candidate if row and row[0] else None


@contextmanager
def postgres_for_tests(scratch: Path) -> Iterator[DatabaseSettings]:
    external = _external_database()
    if external is not None:
        yield external
        return
    from gateway.runtime.embedded import start_embedded_postgres

    embedded = start_embedded_postgres(
        scratch / "postgres",
        DatabaseSettings(host=None, dbname="postgres", app_user="leadgate_test_app"),
    )
    try:
        yield embedded.database
    finally:
        embedded.stop()


@contextmanager
def redis_for_tests(scratch: Path) -> Iterator[str]:
    url = None if _embedded_only() else os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    if not _embedded_only() and _reachable("127.0.0.1", 6379):
        # A database of its own: every test starts by emptying it (see tests/conftest.py).
        yield "redis://127.0.0.1:6379/9"
        return
    from gateway.runtime.embedded import start_embedded_redis

    embedded = start_embedded_redis(scratch / "redis")
    try:
        yield embedded.url
    finally:
        embedded.stop()
