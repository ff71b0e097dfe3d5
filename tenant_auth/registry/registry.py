"""The process-wide handle on tenant identity: the registry database, the server keys,
open tenant databases, the API key verification cache, and the Turso client if any.

Open one per process (``async with open_registry(settings) as registry``) and pass it to
the service functions; it is safe to share between tasks of one event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tenant_auth.apikeys.cache import VerificationCache
from tenant_auth.core.errors import InvalidInput, SchemaOutdated
from tenant_auth.core.keyring import Keyring
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.core.secretbox import Secret, SecretBox
from tenant_auth.core.settings import AuthSettings
from tenant_auth.migrations.runner import (
    REGISTRY_MIGRATIONS,
    TENANT_MIGRATIONS,
    current_version,
    migrate,
)
from tenant_auth.registry.schemas import Tenant
from tenant_auth.turso.client import TursoPlatform

__all__ = ["Registry", "open_registry", "open_tenant_database"]

_TURSO_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class Registry:
    def __init__(
        self,
        *,
        db: LibsqlDatabase,
        keyring: Keyring,
        data_dir: Path,
        turso: TursoPlatform | None,
        api_key_cache: VerificationCache,
    ) -> None:
        self.db = db
        self.keyring = keyring
        self.box = SecretBox(keyring)
        self.data_dir = data_dir
        self.turso = turso
        self.api_key_cache = api_key_cache
        self._tenant_dbs: dict[str, tuple[tuple[str, Secret | None], LibsqlDatabase]] = {}
        self._retired: list[LibsqlDatabase] = []
        self._opening = asyncio.Lock()

    def __repr__(self) -> str:
        return f"Registry({self.db.url!r}, tenants_open={len(self._tenant_dbs)})"

    async def database(self, tenant: Tenant) -> LibsqlDatabase:
        """The tenant's database, opened once and reused; reopened when the registry row
        carries a new URL or token (after a rotation). Do not close it.

        Raises ``SchemaOutdated`` if the database needs ``leadgate tenant migrate --all``.
        """
        key = (tenant.database_url, tenant.database_token)
        cached = self._tenant_dbs.get(tenant.slug)
        if cached is not None and cached[0] == key:
            return cached[1]
        async with self._opening:
            cached = self._tenant_dbs.get(tenant.slug)
            if cached is not None and cached[0] == key:
                return cached[1]
            db = await open_tenant_database(tenant)
            try:
                version = await current_version(db)
            except BaseException:
                await db.close()
                raise
            if version < TENANT_MIGRATIONS[-1].version:
                await db.close()
                raise SchemaOutdated(
                    f"tenant {tenant.slug!r} database is at schema version {version}; run "
                    "`leadgate tenant migrate --all`"
                )
            if cached is not None:
                # Tasks may still be using the old handle; close it with the registry.
                self._retired.append(cached[1])
            self._tenant_dbs[tenant.slug] = (key, db)
            return db

    async def close(self) -> None:
        handles = [db for _, db in self._tenant_dbs.values()] + self._retired
        self._tenant_dbs.clear()
        self._retired.clear()
        for db in handles:
            await db.close()


async def open_tenant_database(tenant: Tenant) -> LibsqlDatabase:
    """A fresh handle on the tenant's database; the caller closes it. Most code wants
    ``Registry.database`` instead."""
    token = None if tenant.database_token is None else tenant.database_token.reveal()
    return await LibsqlDatabase.open(tenant.database_url, auth_token=token)


@asynccontextmanager
async def open_registry(
    settings: AuthSettings,
    *,
    http: httpx.AsyncClient | None = None,
    turso: TursoPlatform | None = None,
    api_key_cache_ttl_s: float = 5.0,
) -> AsyncIterator[Registry]:
    """Open (and migrate) the registry database for the life of the block.

    The Turso client is built from ``settings`` when the organization, group and API token
    are all set, using ``http`` (the process's shared client) or a client of its own;
    tests pass ``turso`` directly. ``api_key_cache_ttl_s`` bounds how long a revoked key
    keeps working in other processes.

    Raises ``SecretKeyError`` for a malformed LEADGATE_SECRET_KEY, ``InvalidInput`` for
    half-configured Turso settings.
    """
    keyring = Keyring.parse(settings.secret_key)
    turso_settings = (settings.turso_org, settings.turso_group, settings.turso_api_token)
    if turso is None and any(turso_settings) and not all(turso_settings):
        raise InvalidInput(
            "LEADGATE_TURSO_ORG, LEADGATE_TURSO_GROUP and LEADGATE_TURSO_API_TOKEN must be "
            "set together"
        )
    own_http: httpx.AsyncClient | None = None
    if turso is None and settings.turso_org and settings.turso_group and settings.turso_api_token:
        if http is None:
            http = own_http = httpx.AsyncClient(timeout=_TURSO_TIMEOUT)
        turso = TursoPlatform(
            http,
            api_url=settings.turso_api_url,
            org=settings.turso_org,
            group=settings.turso_group,
            api_token=settings.turso_api_token,
        )
    try:
        async with await LibsqlDatabase.open(
            settings.registry_url, auth_token=settings.registry_token
        ) as db:
            await migrate(db, REGISTRY_MIGRATIONS)
            registry = Registry(
                db=db,
                keyring=keyring,
                data_dir=settings.data_dir,
                turso=turso,
                api_key_cache=VerificationCache(ttl_s=api_key_cache_ttl_s),
            )
            try:
                yield registry
            finally:
                await registry.close()
    finally:
        if own_http is not None:
            await own_http.aclose()
