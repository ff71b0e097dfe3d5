"""Apply the plain-SQL migrations in ``pipeline/migrations`` in order, exactly once each.

Runs as the database owner. A session-level advisory lock serializes concurrent runs (two
``leadgate migrate`` processes, or a deploy racing a dev server); each migration runs in its
own transaction together with its row in ``schema_migrations``, so a failed migration leaves
nothing half-applied. An applied file whose text later changed is refused: history is fixed.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import psycopg
from psycopg import sql

__all__ = ["Migration", "MigrationError", "available_migrations", "ensure_database", "migrate"]

# Any constant works; it only has to be the same for every leadgate process.
_ADVISORY_LOCK_KEY = 0x6C656164_67617465 & 0x7FFFFFFFFFFFFFFF  # "leadgate"
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """The schema cannot be brought up to date; the message says why."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    """Every migration shipped with the package, ordered by version."""
    found: list[Migration] = []
    for entry in resources.files("pipeline.migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a version: {versions}")
    return found


async def ensure_database(maintenance_conninfo: str, dbname: str) -> bool:
    """Create ``dbname`` if it does not exist; return whether it was created."""
    async with await psycopg.AsyncConnection.connect(maintenance_conninfo, autocommit=True) as conn:
        cur = await conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        if await cur.fetchone():
            return False
        try:
            await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        except psycopg.errors.DuplicateDatabase:
            return False  # created by a concurrent process
        return True


async def migrate(
    owner_conninfo: str, *, app_user: str, app_password: str | None
) -> list[Migration]:
    """Apply pending migrations and make sure the app login role exists with the right
    attributes. Returns the migrations applied by this call (empty when up to date)."""
    migrations = available_migrations()
    applied_now: list[Migration] = []
    async with await psycopg.AsyncConnection.connect(owner_conninfo, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", [_ADVISORY_LOCK_KEY])
        try:
            await conn.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer PRIMARY KEY,
                    name        text NOT NULL,
                    checksum    text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            cur = await conn.execute("SELECT version, name, checksum FROM schema_migrations")
            applied = {row[0]: (row[1], row[2]) for row in await cur.fetchall()}
            for migration in migrations:
                if migration.version in applied:
                    name, checksum = applied[migration.version]
                    if checksum != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version:04d}_{name} was changed after it was applied; "
                            "add a new migration instead of editing an applied one"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql.encode())
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        [migration.version, migration.name, migration.checksum],
                    )
                applied_now.append(migration)
            await _ensure_app_login_role(conn, app_user, app_password)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_LOCK_KEY])
    return applied_now


async def _ensure_app_login_role(
    conn: psycopg.AsyncConnection[tuple[object, ...]], app_user: str, app_password: str | None
) -> None:
    cur = await conn.execute(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [app_user]
    )
    row = await cur.fetchone()
    role = sql.Identifier(app_user)
    if row is None:
        # Another database of the same cluster may have created it a moment ago.
        with contextlib.suppress(psycopg.errors.DuplicateObject):
            await conn.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                ).format(role)
            )
    elif row[0] or row[1]:
        raise MigrationError(
            f"LEADGATE_APP_PGUSER={app_user!r} is a superuser or has BYPASSRLS; the app role must "
            "be subject to row-level security"
        )
    if app_password is not None:
        await conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(app_password))
        )
    await conn.execute(sql.SQL("GRANT leadgate_app TO {}").format(role))
