from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tenant_auth.core.secretbox import Secret
from tenant_auth.core.structs import Frozen

__all__ = ["OidcProvider", "Tenant", "TenantMigration", "TenantStatus"]


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class OidcProvider(Frozen):
    """A tenant's own OpenID Connect provider."""

    issuer: str
    client_id: str
    client_secret: Secret
    allowed_domains: tuple[str, ...]
    """Email domains allowed to sign in; empty means any invited address."""


class Tenant(Frozen):
    """A registry row with its secrets opened. Obtain one only from a trusted source (the
    session, a verified API key or link, an operator's command), never from request input."""

    slug: str
    tenant_id: UUID
    """The PostgreSQL tenant."""
    status: TenantStatus
    database_url: str
    database_token: Secret | None
    database_token_expires_at: datetime | None
    turso_database: str | None
    """The database's name in the Turso organization, when provisioned there."""
    oidc: OidcProvider | None
    created_at: datetime

    @property
    def is_active(self) -> bool:
        return self.status is TenantStatus.ACTIVE


class TenantMigration(Frozen):
    """What ``migrate_all_tenants`` did to one tenant database."""

    slug: str
    applied: tuple[str, ...]
    error: str | None = None
