"""API keys: shown once, stored hashed, verified in constant time with a short cache,
revocation effective at once locally and within the cache TTL elsewhere."""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from tenant_auth.apikeys.cache import VerificationCache
from tenant_auth.apikeys.schemas import ApiScope
from tenant_auth.apikeys.service import (
    create_api_key,
    list_api_keys,
    revoke_api_key,
    verify_api_key,
)
from tenant_auth.audit.service import list_events
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import (
    ApiKeyNotFound,
    ApiKeyRejected,
    ApiKeyRejection,
    ApiKeyScopeDenied,
    InvalidInput,
)
from tenant_auth.core.settings import AuthSettings
from tenant_auth.registry.registry import Registry, open_registry
from tenant_auth.registry.schemas import Tenant, TenantStatus
from tenant_auth.registry.service import register_tenant, set_tenant_status


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_new_key_verifies_for_its_tenant_and_scopes(
    registry: Registry, tenant: Tenant
) -> None:
    issued = await create_api_key(
        registry, tenant, name="Experian feed", scopes=["ingest", "read"], actor="cli:test"
    )

    principal = await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)

    assert (principal.tenant_slug, principal.tenant_id, principal.key_id) == (
        "acme",
        tenant.tenant_id,
        issued.api_key.id,
    )
    assert principal.scopes == {ApiScope.INGEST, ApiScope.READ}
    assert issued.key.reveal().startswith(issued.api_key.prefix + "_")
    assert issued.key.reveal() not in repr(issued)


async def test_only_a_hash_of_the_key_is_stored(
    registry: Registry, tenant: Tenant, settings: AuthSettings
) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    secret_part = issued.key.reveal().rsplit("_", 1)[1]
    for path in [settings.data_dir / "tenants" / "acme.db", settings.data_dir / "registry.db"]:
        with sqlite3.connect(path) as raw:
            dump = "\n".join(raw.iterdump())
        assert secret_part not in dump


async def test_key_without_the_scope_is_denied(registry: Registry, tenant: Tenant) -> None:
    issued = await create_api_key(registry, tenant, name="reader", scopes=["read"], actor="cli")
    with pytest.raises(ApiKeyScopeDenied):
        await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)


@pytest.mark.parametrize(
    "presented", ["", "Bearer x", "lg_abc_def", "lg_" + "a" * 16 + "_" + "A" * 52, "x" * 5000]
)
async def test_malformed_keys_are_rejected_without_touching_a_database(
    registry: Registry, presented: str
) -> None:
    with pytest.raises(ApiKeyRejected) as raised:
        await verify_api_key(registry, presented, scope=ApiScope.INGEST)
    assert raised.value.reason is ApiKeyRejection.MALFORMED


async def test_unknown_key_id_is_rejected(registry: Registry) -> None:
    with pytest.raises(ApiKeyRejected) as raised:
        await verify_api_key(registry, "lg_" + "a" * 16 + "_" + "b" * 52, scope=ApiScope.READ)
    assert raised.value.reason is ApiKeyRejection.UNKNOWN


async def test_wrong_secret_for_a_real_key_id_is_rejected_and_audited(
    registry: Registry, tenant: Tenant
) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    forged = issued.api_key.prefix + "_" + "a" * 52

    with pytest.raises(ApiKeyRejected) as raised:
        await verify_api_key(registry, forged, scope=ApiScope.INGEST)

    assert raised.value.reason is ApiKeyRejection.WRONG_SECRET
    event = (await list_events(await registry.database(tenant)))[0]
    assert (event.action, event.outcome, event.detail) == (
        "api_key.rejected",
        "failure",
        {"reason": "wrong_secret"},
    )
    # The genuine key still works: a failed attempt is not cached against it.
    await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)


async def test_revocation_takes_effect_at_once_in_the_revoking_process(
    registry: Registry, tenant: Tenant
) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)

    revoked = await revoke_api_key(registry, tenant, key_id=issued.api_key.prefix, actor="cli")

    assert revoked.status(utc_now()) == "revoked"
    with pytest.raises(ApiKeyRejected) as raised:
        await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)
    assert raised.value.reason is ApiKeyRejection.REVOKED


async def test_revocation_reaches_other_processes_when_their_cache_entry_expires(
    registry: Registry, tenant: Tenant, settings: AuthSettings
) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    clock = FakeClock()
    async with open_registry(settings) as other_process:
        other_process.api_key_cache = VerificationCache(ttl_s=5.0, clock=clock)
        await verify_api_key(other_process, issued.key.reveal(), scope=ApiScope.INGEST)

        await revoke_api_key(registry, tenant, key_id=issued.api_key.id, actor="cli")

        clock.now += 4.9
        await verify_api_key(other_process, issued.key.reveal(), scope=ApiScope.INGEST)
        clock.now += 0.2
        with pytest.raises(ApiKeyRejected) as raised:
            await verify_api_key(other_process, issued.key.reveal(), scope=ApiScope.INGEST)
    assert raised.value.reason is ApiKeyRejection.REVOKED


async def test_revoking_twice_is_audited_once(registry: Registry, tenant: Tenant) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    await revoke_api_key(registry, tenant, key_id=issued.api_key.id, actor="cli")
    await revoke_api_key(registry, tenant, key_id=issued.api_key.id, actor="cli")
    actions = [e.action for e in await list_events(await registry.database(tenant))]
    assert actions == ["api_key.revoked", "api_key.created"]


async def test_revoking_an_unknown_key_is_not_found(registry: Registry, tenant: Tenant) -> None:
    with pytest.raises(ApiKeyNotFound):
        await revoke_api_key(registry, tenant, key_id="a" * 16, actor="cli")
    with pytest.raises(ApiKeyNotFound):
        await revoke_api_key(registry, tenant, key_id="not a key", actor="cli")


async def test_expired_key_is_rejected(registry: Registry, tenant: Tenant, tmp_path: Path) -> None:
    issued = await create_api_key(
        registry,
        tenant,
        name="feed",
        scopes=["ingest"],
        expires_at=utc_now() + timedelta(days=1),
        actor="cli",
    )
    with sqlite3.connect(tmp_path / "tenants" / "acme.db") as raw:
        raw.execute("UPDATE api_key SET expires_at = '2000-01-01T00:00:00.000000Z'")
    with pytest.raises(ApiKeyRejected) as raised:
        await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)
    assert raised.value.reason is ApiKeyRejection.EXPIRED


async def test_keys_of_a_suspended_tenant_are_rejected(registry: Registry, tenant: Tenant) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)

    await set_tenant_status(registry, "acme", TenantStatus.SUSPENDED)

    with pytest.raises(ApiKeyRejected) as raised:
        await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)
    assert raised.value.reason is ApiKeyRejection.TENANT_INACTIVE


async def test_a_key_only_ever_resolves_to_its_own_tenant(
    registry: Registry, tenant: Tenant
) -> None:
    beta = await register_tenant(registry, slug="beta", tenant_id=uuid.uuid4())
    acme_key = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    beta_key = await create_api_key(registry, beta, name="feed", scopes=["ingest"], actor="cli")

    acme = await verify_api_key(registry, acme_key.key.reveal(), scope=ApiScope.INGEST)
    other = await verify_api_key(registry, beta_key.key.reveal(), scope=ApiScope.INGEST)

    assert (acme.tenant_slug, other.tenant_slug) == ("acme", "beta")
    assert [k.id for k in await list_api_keys(await registry.database(beta))] == [
        beta_key.api_key.id
    ]
    # beta's key id with acme's secret: the id picks beta's record, the secret fails there.
    spliced = beta_key.api_key.prefix + "_" + acme_key.key.reveal().rsplit("_", 1)[1]
    with pytest.raises(ApiKeyRejected):
        await verify_api_key(registry, spliced, scope=ApiScope.INGEST)


async def test_key_hashed_under_an_old_server_key_still_verifies_after_rotation(
    settings: AuthSettings,
) -> None:
    async with open_registry(settings) as registry:
        tenant = await register_tenant(registry, slug="acme", tenant_id=uuid.uuid4())
        issued = await create_api_key(registry, tenant, name="feed", scopes=["read"], actor="cli")
    rotated = msgspec.structs.replace(
        settings, secret_key=f"{secrets.token_urlsafe(32)},{settings.secret_key}"
    )
    async with open_registry(rotated) as registry:
        principal = await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.READ)
    assert principal.key_id == issued.api_key.id


@pytest.mark.parametrize(
    ("name", "scopes"), [("", ["ingest"]), ("feed", []), ("feed", ["write"]), ("x" * 101, ["read"])]
)
async def test_bad_name_or_scopes_are_refused(
    registry: Registry, tenant: Tenant, name: str, scopes: list[str]
) -> None:
    with pytest.raises(InvalidInput):
        await create_api_key(registry, tenant, name=name, scopes=scopes, actor="cli")


async def test_verification_records_last_use(registry: Registry, tenant: Tenant) -> None:
    issued = await create_api_key(registry, tenant, name="feed", scopes=["ingest"], actor="cli")
    await verify_api_key(registry, issued.key.reveal(), scope=ApiScope.INGEST)
    [key] = await list_api_keys(await registry.database(tenant))
    assert key.last_used_at is not None
