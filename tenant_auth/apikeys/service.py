"""Creating, listing, revoking and verifying API keys.

Verification resolves the tenant from the key id through the registry, checks the secret
against the tenant's stored HMAC in constant time, and remembers the outcome for a few
seconds (``Registry.api_key_cache``). Revoking forgets the key in this process at once;
other processes stop accepting it when their cached entry expires (the cache TTL).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable
from datetime import datetime

from tenant_auth.apikeys import repository
from tenant_auth.apikeys.cache import Outcome
from tenant_auth.apikeys.keys import generate_key, key_digest, key_id_of, parse_key_id
from tenant_auth.apikeys.schemas import ApiKey, ApiKeyPrincipal, ApiScope, IssuedApiKey
from tenant_auth.audit.schemas import AuditAction, AuditOutcome
from tenant_auth.audit.service import audit_statement, record_event
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import (
    ApiKeyNotFound,
    ApiKeyRejected,
    ApiKeyRejection,
    ApiKeyScopeDenied,
    InvalidInput,
    StorageError,
)
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.registry import repository as registry_repository
from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import Tenant
from tenant_auth.registry.service import open_row

__all__ = ["create_api_key", "list_api_keys", "revoke_api_key", "verify_api_key"]

log = logging.getLogger(__name__)

_MAX_NAME = 100


async def create_api_key(
    registry: Registry,
    tenant: Tenant,
    *,
    name: str,
    scopes: Iterable[ApiScope | str],
    expires_at: datetime | None = None,
    actor: str,
) -> IssuedApiKey:
    """Issue a key for ``tenant``. Show ``IssuedApiKey.key`` to the user once: only its
    hash is kept. Audited. Raises ``InvalidInput`` for a bad name, scope or expiry."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= _MAX_NAME:
        raise InvalidInput(f"key name must be 1-{_MAX_NAME} characters")
    try:
        chosen = tuple(sorted({ApiScope(scope) for scope in scopes}))
    except ValueError:
        raise InvalidInput(f"scopes are {', '.join(s.value for s in ApiScope)}") from None
    if not chosen:
        raise InvalidInput("a key needs at least one scope")
    now = utc_now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("expiry must be in the future")

    key_id, key = generate_key()
    db = await registry.database(tenant)
    # The registry row goes first: if the tenant write then fails, the orphan row leads
    # nowhere (no key record to match) and is removed below.
    await registry.db.write(
        registry_repository.insert_key_owner(key_id=key_id, slug=tenant.slug, now=now)
    )
    try:
        await db.write(
            repository.insert_api_key(
                key_id=key_id,
                name=name,
                secret_hash=key_digest(registry.keyring, key.reveal()),
                hash_key_id=registry.keyring.current_id,
                scopes=chosen,
                created_by=actor,
                expires_at=expires_at,
                now=now,
            ),
            audit_statement(
                AuditAction.API_KEY_CREATED,
                actor=actor,
                target=f"api_key:{key_id}",
                detail={"name": name, "scopes": ",".join(chosen)},
                now=now,
            ),
        )
    except BaseException:
        await registry.db.write(registry_repository.delete_key_owner(key_id=key_id))
        raise
    api_key = await repository.get_api_key(db, key_id=key_id)
    if api_key is None:
        raise ApiKeyNotFound(f"key {key_id} vanished right after creation")
    log.info("created API key", extra={"tenant": tenant.slug, "key_id": key_id})
    return IssuedApiKey(key=key, api_key=api_key)


async def list_api_keys(db: LibsqlDatabase) -> list[ApiKey]:
    """Every key of the tenant, oldest first, revoked and expired included."""
    return await repository.list_api_keys(db)


async def revoke_api_key(registry: Registry, tenant: Tenant, *, key_id: str, actor: str) -> ApiKey:
    """Revoke (idempotent, audited once). ``key_id`` may be given as ``lg_<id>``.

    Raises ``ApiKeyNotFound``.
    """
    parsed = parse_key_id(key_id)
    if parsed is None:
        raise ApiKeyNotFound(f"not a key id: {key_id!r}")
    db = await registry.database(tenant)
    now = utc_now()
    await db.write(
        repository.revoke_api_key(key_id=parsed, now=now),
        audit_statement(
            AuditAction.API_KEY_REVOKED,
            actor=actor,
            target=f"api_key:{parsed}",
            only_if_changed=True,
            now=now,
        ),
    )
    registry.api_key_cache.forget(parsed)
    api_key = await repository.get_api_key(db, key_id=parsed)
    if api_key is None:
        raise ApiKeyNotFound(f"tenant {tenant.slug!r} has no key {parsed}")
    return api_key


async def verify_api_key(registry: Registry, presented: str, *, scope: ApiScope) -> ApiKeyPrincipal:
    """Authenticate ``presented`` (the whole key from the request) and require ``scope``.

    Raises ``ApiKeyRejected`` (HTTP 401; revoked, expired and wrong-secret attempts on a
    real key are audited in its tenant's log) or ``ApiKeyScopeDenied`` (HTTP 403).
    """
    key_id = key_id_of(presented)
    if key_id is None:
        raise ApiKeyRejected(ApiKeyRejection.MALFORMED)
    digest = key_digest(registry.keyring, presented)
    outcome = registry.api_key_cache.get(key_id, digest)
    if outcome is None:
        outcome = await _verify_uncached(registry, key_id, presented, digest)
    if isinstance(outcome, ApiKeyRejection):
        raise ApiKeyRejected(outcome)
    if scope not in outcome.scopes:
        raise ApiKeyScopeDenied(f"key {outcome.key_id} lacks the {scope} scope")
    return outcome


async def _verify_uncached(
    registry: Registry, key_id: str, presented: str, digest: bytes
) -> Outcome:
    cache = registry.api_key_cache
    row = await registry_repository.get_tenant_by_key_id(registry.db, key_id=key_id)
    if row is None:
        cache.put(key_id, digest, ApiKeyRejection.UNKNOWN)
        return ApiKeyRejection.UNKNOWN
    tenant = open_row(registry, row)
    db = await registry.database(tenant)
    found = await repository.get_api_key_with_hash(db, key_id=key_id)
    if found is None:
        cache.put(key_id, digest, ApiKeyRejection.UNKNOWN)
        return ApiKeyRejection.UNKNOWN
    api_key, stored = found
    if stored.hash_key_id == registry.keyring.current_id:
        actual = digest
    elif stored.hash_key_id in registry.keyring:
        actual = key_digest(registry.keyring, presented, stored.hash_key_id)
    else:
        # Hashed under a server key since dropped from LEADGATE_SECRET_KEY: unverifiable.
        actual = b""
    if not hmac.compare_digest(stored.secret_hash, actual):
        # Not cached: the next attempt may carry the right secret.
        await _audit_rejection(db, key_id, ApiKeyRejection.WRONG_SECRET)
        return ApiKeyRejection.WRONG_SECRET

    now = utc_now()
    rejection = None
    if not tenant.is_active:
        rejection = ApiKeyRejection.TENANT_INACTIVE
    elif api_key.revoked_at is not None:
        rejection = ApiKeyRejection.REVOKED
    elif api_key.expires_at is not None and api_key.expires_at <= now:
        rejection = ApiKeyRejection.EXPIRED
    if rejection is not None:
        if rejection is not ApiKeyRejection.TENANT_INACTIVE:
            await _audit_rejection(db, key_id, rejection)
        cache.put(key_id, digest, rejection)
        return rejection

    principal = ApiKeyPrincipal(
        tenant_slug=tenant.slug,
        tenant_id=tenant.tenant_id,
        key_id=key_id,
        name=api_key.name,
        scopes=frozenset(api_key.scopes),
    )
    try:
        # At most once per key per cache TTL per process: cheap enough to keep current.
        await db.write(repository.touch_api_key(key_id=key_id, now=now))
    except StorageError as exc:
        log.warning(
            "could not record API key use",
            extra={"tenant": tenant.slug, "key_id": key_id, "error": exc.code},
        )
    cache.put(key_id, digest, principal)
    return principal


async def _audit_rejection(db: LibsqlDatabase, key_id: str, reason: ApiKeyRejection) -> None:
    await record_event(
        db,
        AuditAction.API_KEY_REJECTED,
        actor="anonymous",
        outcome=AuditOutcome.FAILURE,
        target=f"api_key:{key_id}",
        detail={"reason": reason.value},
    )
