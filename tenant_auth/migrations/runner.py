"""Apply ``NNNN_name.sql`` migrations to a libSQL database, each exactly once.

Each migration runs as one batch (one transaction) that starts by inserting its row in
``schema_version``. Two processes migrating the same database at once therefore cannot
both apply it: the second one's insert hits the primary key, its whole batch rolls back,
and it finds the version already applied. An applied migration whose text later changed
is refused: history is fixed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from tenant_auth.core.clock import to_db_time, utc_now
from tenant_auth.core.errors import MigrationError, StorageError
from tenant_auth.core.libsql import LibsqlDatabase, Statement, row_int, row_str
from tenant_auth.core.sqlfiles import load_queries, split_statements

__all__ = [
    "REGISTRY_MIGRATIONS",
    "TENANT_MIGRATIONS",
    "Migration",
    "current_version",
    "load_migrations",
    "migrate",
]

_SQL = load_queries(__package__)
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    checksum: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def load_migrations(package: str) -> tuple[Migration, ...]:
    """Every ``NNNN_name.sql`` file in ``package``, ordered by version."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            text = entry.read_text(encoding="utf-8")
            found.append(
                Migration(
                    version=int(match[1]),
                    name=match[2],
                    statements=tuple(split_statements(text)),
                    checksum=hashlib.sha256(text.encode()).hexdigest(),
                )
            )
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{package}: two migration files share a version: {versions}")
    return tuple(found)


REGISTRY_MIGRATIONS = load_migrations("tenant_auth.migrations.registry")
TENANT_MIGRATIONS = load_migrations("tenant_auth.migrations.tenant")


async def current_version(db: LibsqlDatabase) -> int:
    """Highest applied version, 0 for a database never migrated. Reads only."""
    found = await db.read(Statement(_SQL["version_table_exists"]))
    if not found.rows[0]["found"]:
        return 0
    applied = await _applied(db)
    return max(applied, default=0)


async def migrate(db: LibsqlDatabase, migrations: tuple[Migration, ...]) -> list[Migration]:
    """Apply the pending ``migrations``; return those applied by this call (safe to re-run,
    safe to run from two processes at once).

    Raises ``MigrationError`` if a migration fails or an applied one has changed.
    """
    await db.write(Statement(_SQL["create_version_table"]))
    applied = await _applied(db)
    applied_now: list[Migration] = []
    for migration in migrations:
        if migration.version not in applied:
            try:
                await db.write(
                    Statement(
                        _SQL["record_version"],
                        {
                            "version": migration.version,
                            "name": migration.name,
                            "checksum": migration.checksum,
                            "applied_at": to_db_time(utc_now()),
                        },
                    ),
                    *(Statement(sql) for sql in migration.statements),
                )
            except StorageError as exc:
                applied = await _applied(db)
                if migration.version not in applied:
                    raise MigrationError(f"{migration.label} failed: {exc}") from exc
            else:
                applied[migration.version] = migration.checksum
                applied_now.append(migration)
                continue
        if applied[migration.version] != migration.checksum:
            raise MigrationError(
                f"{migration.label} was applied with different text; migrations are "
                "immutable once applied, add a new one instead"
            )
    return applied_now


async def _applied(db: LibsqlDatabase) -> dict[int, str]:
    result = await db.read(Statement(_SQL["applied_versions"]))
    return {row_int(row, "version"): row_str(row, "checksum") for row in result.rows}
