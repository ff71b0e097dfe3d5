"""Finding the tenant a person signs in to from their work email."""

from __future__ import annotations

from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import Tenant
from tenant_auth.registry.service import list_tenants

__all__ = ["tenants_for_email"]


async def tenants_for_email(registry: Registry, email: str) -> list[Tenant]:
    """Active tenants whose OIDC configuration allows the domain of ``email`` (already
    normalized). Tenants that allow any domain are not guessed at: the person names them."""
    domain = email.rpartition("@")[2]
    return [
        tenant
        for tenant in await list_tenants(registry)
        if tenant.is_active and tenant.oidc is not None and domain in tenant.oidc.allowed_domains
    ]
