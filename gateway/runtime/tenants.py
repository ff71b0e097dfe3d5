"""Operator actions on tenants that span PostgreSQL and the identity registry."""

from __future__ import annotations

import psycopg

from gateway.settings import Settings
from pipeline.tenants import repository as tenant_repository
from pipeline.tenants import service as tenant_service
from pipeline.tenants.schemas import SecretCipher, Tenant

__all__ = ["create_tenant_everywhere", "list_all_tenants"]


async def create_tenant_everywhere(
    settings: Settings, *, slug: str, name: str, bonzo_webhook_url: str | None, cipher: SecretCipher
) -> Tenant:
    async with (
        await psycopg.AsyncConnection.connect(settings.database.owner_conninfo()) as conn,
        conn.transaction(),
    ):
        return await tenant_service.create_tenant(
            conn, slug=slug, name=name, bonzo_webhook_url=bonzo_webhook_url, cipher=cipher
        )


async def list_all_tenants(settings: Settings) -> list[Tenant]:
    async with await psycopg.AsyncConnection.connect(settings.database.owner_conninfo()) as conn:
        return await tenant_repository.list_tenants(conn)
