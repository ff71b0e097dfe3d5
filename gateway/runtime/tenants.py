"""Operator actions on tenants that span PostgreSQL and the identity registry."""

from __future__ import annotations

import psycopg

from gateway.settings import Settings
from pipeline.tenants import repository as tenant_repository
from pipeline.tenants import service as tenant_service
from pipeline.tenants.schemas import SecretCipher, Tenant
from tenant_auth.core.errors import TenantAuthError
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import register_tenant

__all__ = ["create_tenant_everywhere", "list_all_tenants"]


async def create_tenant_everywhere(
    settings: Settings,
    *,
    slug: str,
    name: str,
    bonzo_webhook_url: str | None,
    cipher: SecretCipher,
    turso: bool = False,
) -> Tenant:
    """The PostgreSQL tenant and its identity database, or neither: the PostgreSQL
    transaction commits only after the registry has the tenant."""
    async with (
        await psycopg.AsyncConnection.connect(settings.database.owner_conninfo()) as conn,
        conn.transaction(),
    ):
        tenant = await tenant_service.create_tenant(
            conn, slug=slug, name=name, bonzo_webhook_url=bonzo_webhook_url, cipher=cipher
        )
        try:
            async with open_registry(settings.auth) as registry:
                await register_tenant(registry, slug=slug, tenant_id=tenant.id, turso=turso)
        except TenantAuthError as exc:
            raise tenant_service.TenantError(f"identity database: {exc}") from None
        return tenant


async def list_all_tenants(settings: Settings) -> list[Tenant]:
    async with await psycopg.AsyncConnection.connect(settings.database.owner_conninfo()) as conn:
        return await tenant_repository.list_tenants(conn)
