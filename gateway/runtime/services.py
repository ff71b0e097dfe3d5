"""Bring up what the settings name: the embedded PostgreSQL/Redis when no external one is
configured, the database itself, and its schema."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import msgspec

from gateway.runtime.embedded import start_embedded_postgres, start_embedded_redis
from gateway.settings import Settings
from pipeline.core.migrate import Migration, ensure_database, migrate
from pipeline.core.settings import RedisSettings

__all__ = ["migrate_database", "running_services"]

log = logging.getLogger(__name__)


@contextmanager
def running_services(settings: Settings, *, redis: bool = True) -> Iterator[Settings]:
    """Yield ``settings`` pointing at running services, starting the embedded ones as
    needed; they are stopped (or released) when the block exits."""
    with ExitStack() as stack:
        if settings.embedded_postgres:
            pg = start_embedded_postgres(settings.data_dir / "postgres", settings.database)
            stack.callback(pg.stop)
            settings = msgspec.structs.replace(settings, database=pg.database)
            log.info("embedded postgresql ready")
        if redis and settings.embedded_redis:
            embedded_redis = start_embedded_redis(settings.data_dir / "redis")
            stack.callback(embedded_redis.stop)
            settings = msgspec.structs.replace(
                settings, redis=RedisSettings(url=embedded_redis.url)
            )
            log.info("embedded redis ready")
        yield settings


async def migrate_database(settings: Settings) -> list[Migration]:
    """Create the database if missing, then apply pending migrations as the owner."""
    db = settings.database
    if db.app_user == db.owner_user:
        raise ValueError(
            "LEADGATE_APP_PGUSER must differ from PGUSER: the owner is not subject to row-level security"
        )
    await ensure_database(db.owner_conninfo(dbname="postgres"), db.dbname)
    return await migrate(db.owner_conninfo(), app_user=db.app_user, app_password=db.app_password)
