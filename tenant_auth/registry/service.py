"""Registering tenants, configuring their sign-in, and keeping their databases current.

A tenant's identity database is chosen only here, from the registry row of a tenant the
caller already trusts (session, verified key or link, operator command): no request value
ever names a database.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from tenant_auth.audit.schemas import AuditAction
from tenant_auth.audit.service import record_event
from tenant_auth.core.clock import from_db_time, utc_now
from tenant_auth.core.errors import (
    InvalidInput,
    TenantAlreadyRegistered,
    TenantAuthError,
    TenantNotFound,
)
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.core.secretbox import Secret
from tenant_auth.migrations.runner import TENANT_MIGRATIONS, Migration, migrate
from tenant_auth.registry import repository
from tenant_auth.registry.registry import Registry, open_tenant_database
from tenant_auth.registry.repository import SecurityEventRow, TenantRow
from tenant_auth.registry.schemas import OidcProvider, Tenant, TenantMigration, TenantStatus
from tenant_auth.turso.service import TOKEN_ROTATE_WITHIN, mint_token, provision_database

__all__ = [
    "configure_oidc",
    "get_tenant",
    "list_security_events",
    "list_tenants",
    "migrate_all_tenants",
    "migrate_tenant",
    "open_row",
    "record_security_event",
    "register_tenant",
    "reseal_secrets",
    "rotate_database_tokens",
    "set_tenant_status",
    "validate_slug",
]

log = logging.getLogger(__name__)

# Same rule as the PostgreSQL tenants table.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def validate_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise InvalidInput(
            f"slug {slug!r}: use 1-63 lowercase letters, digits and dashes, starting with a "
            "letter or digit"
        )
    return slug


async def register_tenant(
    registry: Registry, *, slug: str, tenant_id: UUID, turso: bool = False
) -> Tenant:
    """Create the tenant's identity database, migrate it, and add its registry row.

    ``turso=False``: a ``file:`` database under ``<data dir>/tenants/``. ``turso=True``:
    a database created through the Turso Platform API (needs the LEADGATE_TURSO_*
    settings) with a freshly minted token, stored encrypted.

    Call after creating the PostgreSQL tenant ``tenant_id``. Raises ``InvalidInput``,
    ``TenantAlreadyRegistered``, ``TursoApiError``/``TursoDatabaseExists``, ``StorageError``.
    """
    validate_slug(slug)
    if await repository.get_tenant(registry.db, slug=slug) is not None:
        raise TenantAlreadyRegistered(f"tenant {slug!r} is already registered")
    now = utc_now()
    token: Secret | None = None
    token_expires_at: datetime | None = None
    turso_database: str | None = None
    if turso:
        if registry.turso is None:
            raise InvalidInput(
                "Turso is not configured: set LEADGATE_TURSO_ORG, LEADGATE_TURSO_GROUP and "
                "LEADGATE_TURSO_API_TOKEN"
            )
        provisioned = await provision_database(registry.turso, slug=slug, now=now)
        url = provisioned.url
        token, token_expires_at = provisioned.token.token, provisioned.token.expires_at
        turso_database = provisioned.name
        log.info("created Turso database", extra={"tenant": slug, "turso_database": turso_database})
    else:
        url = f"file:{(registry.data_dir / 'tenants' / f'{slug}.db').resolve()}"

    revealed = None if token is None else token.reveal()
    async with await LibsqlDatabase.open(url, auth_token=revealed) as db:
        await migrate(db, TENANT_MIGRATIONS)

    sealed = (
        None if revealed is None else registry.box.encrypt(revealed, context=_token_context(slug))
    )
    inserted = await registry.db.write(
        repository.insert_tenant(
            slug=slug,
            tenant_id=tenant_id,
            database_url=url,
            database_token=sealed,
            database_token_expires_at=token_expires_at,
            turso_database=turso_database,
            now=now,
        )
    )
    if inserted[0].rows_affected == 0:
        raise TenantAlreadyRegistered(
            f"tenant {slug!r} or PostgreSQL tenant {tenant_id} is already registered"
        )
    log.info("registered tenant", extra={"tenant": slug})
    return await get_tenant(registry, slug)


async def get_tenant(registry: Registry, slug: str) -> Tenant:
    """Raises ``TenantNotFound``. ``slug`` must come from a trusted source."""
    row = await repository.get_tenant(registry.db, slug=slug)
    if row is None:
        raise TenantNotFound(f"no tenant {slug!r} in the registry")
    return open_row(registry, row)


async def list_tenants(registry: Registry) -> list[Tenant]:
    return [open_row(registry, row) for row in await repository.list_tenants(registry.db)]


async def configure_oidc(
    registry: Registry,
    slug: str,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: Iterable[str] = (),
    actor: str,
) -> Tenant:
    """Set the tenant's OIDC provider (replacing any previous one); audited in the
    tenant's log. From now on its token links stop working and users sign in instead.

    ``issuer`` must be https (http only for a loopback host, for local providers).
    """
    tenant = await get_tenant(registry, slug)
    issuer = _validate_issuer(issuer)
    client_id = client_id.strip()
    if not client_id or not client_secret:
        raise InvalidInput("client id and client secret must not be empty")
    domains = tuple(sorted({_validate_domain(domain) for domain in allowed_domains}))
    await registry.db.write(
        repository.set_oidc(
            slug=slug,
            issuer=issuer,
            client_id=client_id,
            client_secret=registry.box.encrypt(client_secret, context=_oidc_context(slug)),
            allowed_domains=domains,
            now=utc_now(),
        )
    )
    await record_event(
        await registry.database(tenant),
        AuditAction.OIDC_CONFIGURED,
        actor=actor,
        target=slug,
        detail={"issuer": issuer, "client_id": client_id, "allowed_domains": ",".join(domains)},
    )
    return await get_tenant(registry, slug)


async def set_tenant_status(registry: Registry, slug: str, status: TenantStatus) -> Tenant:
    """Suspend or reactivate. Keys and links of a suspended tenant are refused; cached
    key verifications in this process are dropped now, in others within the cache TTL."""
    await get_tenant(registry, slug)
    await registry.db.write(repository.set_status(slug=slug, status=status.value, now=utc_now()))
    registry.api_key_cache.forget_tenant(slug)
    return await get_tenant(registry, slug)


async def migrate_tenant(tenant: Tenant) -> list[Migration]:
    """Apply pending migrations to one tenant database; return those applied."""
    async with await open_tenant_database(tenant) as db:
        return await migrate(db, TENANT_MIGRATIONS)


async def migrate_all_tenants(registry: Registry) -> list[TenantMigration]:
    """Migrate every registered tenant database (idempotent). A failure on one tenant is
    reported in its entry and does not stop the others."""
    outcomes: list[TenantMigration] = []
    for tenant in await list_tenants(registry):
        try:
            applied = await migrate_tenant(tenant)
        except TenantAuthError as exc:
            log.error("tenant migration failed", extra={"tenant": tenant.slug, "error": str(exc)})
            outcomes.append(TenantMigration(slug=tenant.slug, applied=(), error=str(exc)))
        else:
            outcomes.append(
                TenantMigration(slug=tenant.slug, applied=tuple(m.label for m in applied))
            )
    return outcomes


async def rotate_database_tokens(
    registry: Registry,
    *,
    within: timedelta = TOKEN_ROTATE_WITHIN,
    now: datetime | None = None,
) -> list[str]:
    """Mint new tokens for Turso databases whose token expires within ``within``; return
    the slugs rotated. Run it daily (``leadgate tenant rotate-tokens``).

    Raises ``InvalidInput`` if such a tenant exists but Turso is not configured.
    """
    now = now or utc_now()
    rotated: list[str] = []
    for row in await repository.list_tenants(registry.db):
        if row.turso_database is None or row.database_token_expires_at is None:
            continue
        if from_db_time(row.database_token_expires_at) - now > within:
            continue
        if registry.turso is None:
            raise InvalidInput(
                f"tenant {row.slug!r} has a Turso token to rotate but Turso is not configured"
            )
        minted = await mint_token(registry.turso, database=row.turso_database, now=now)
        written = await registry.db.write(
            repository.set_database_token(
                slug=row.slug,
                token=registry.box.encrypt(minted.token.reveal(), context=_token_context(row.slug)),
                expires_at=minted.expires_at,
                previous_token=row.database_token,
                now=now,
            )
        )
        if written[0].rows_affected:
            rotated.append(row.slug)
            log.info("rotated tenant database token", extra={"tenant": row.slug})
    return rotated


async def reseal_secrets(registry: Registry) -> list[str]:
    """Re-encrypt every tenant secret sealed with an older server key under the current
    one, so the old key can be dropped from LEADGATE_SECRET_KEY. Returns the slugs
    changed. (API key hashes and link signatures name their key and need no resealing;
    they stop working once their key is dropped.)"""
    now = utc_now()
    changed: list[str] = []
    for row in await repository.list_tenants(registry.db):
        token = _reseal(registry, row.database_token, _token_context(row.slug))
        secret = _reseal(registry, row.oidc_client_secret, _oidc_context(row.slug))
        if token == row.database_token and secret == row.oidc_client_secret:
            continue
        written = await registry.db.write(
            repository.reseal_secrets(
                slug=row.slug,
                database_token=token,
                oidc_client_secret=secret,
                previous=row,
                now=now,
            )
        )
        if written[0].rows_affected:
            changed.append(row.slug)
    return changed


async def record_security_event(
    registry: Registry, action: str, *, reason: str, detail: str = "{}"
) -> None:
    """Append a failure no tenant can be trusted with (e.g. a forged link) to the
    registry's append-only ``security_event`` log."""
    await registry.db.write(
        repository.insert_security_event(action=action, reason=reason, detail=detail, now=utc_now())
    )


async def list_security_events(registry: Registry, *, limit: int = 100) -> list[SecurityEventRow]:
    return await repository.list_security_events(registry.db, limit=limit)


def open_row(registry: Registry, row: TenantRow) -> Tenant:
    """The public ``Tenant`` for a registry row, its secrets decrypted."""
    oidc = None
    if row.oidc_issuer and row.oidc_client_id and row.oidc_client_secret:
        oidc = OidcProvider(
            issuer=row.oidc_issuer,
            client_id=row.oidc_client_id,
            client_secret=Secret(
                registry.box.decrypt(row.oidc_client_secret, context=_oidc_context(row.slug))
            ),
            allowed_domains=row.oidc_allowed_domains,
        )
    token = None
    if row.database_token is not None:
        token = Secret(registry.box.decrypt(row.database_token, context=_token_context(row.slug)))
    return Tenant(
        slug=row.slug,
        tenant_id=row.tenant_id,
        status=TenantStatus(row.status),
        database_url=row.database_url,
        database_token=token,
        database_token_expires_at=(
            None
            if row.database_token_expires_at is None
            else from_db_time(row.database_token_expires_at)
        ),
        turso_database=row.turso_database,
        oidc=oidc,
        created_at=from_db_time(row.created_at),
    )


def _reseal(registry: Registry, ciphertext: str | None, context: str) -> str | None:
    if ciphertext is None or not registry.box.needs_reseal(ciphertext):
        return ciphertext
    return registry.box.encrypt(registry.box.decrypt(ciphertext, context=context), context=context)


def _token_context(slug: str) -> str:
    return f"tenant:{slug}:database_token"


def _oidc_context(slug: str) -> str:
    return f"tenant:{slug}:oidc_client_secret"


def _validate_issuer(issuer: str) -> str:
    parts = urllib.parse.urlsplit(issuer.strip())
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
    )
    if not secure or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise InvalidInput(
            "issuer must be an https URL without query or fragment (http only for localhost)"
        )
    return issuer.strip()


def _validate_domain(domain: str) -> str:
    normalized = domain.strip().lower().removeprefix("@")
    if not _DOMAIN.match(normalized):
        raise InvalidInput(f"not an email domain: {domain!r}")
    return normalized
