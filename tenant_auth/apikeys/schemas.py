from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tenant_auth.core.secretbox import Secret
from tenant_auth.core.structs import Frozen

__all__ = ["ApiKey", "ApiKeyPrincipal", "ApiScope", "IssuedApiKey"]


class ApiScope(StrEnum):
    """What a key may do. Scopes are independent: ``admin`` does not imply ``ingest``."""

    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


class ApiKey(Frozen):
    id: str
    name: str
    scopes: tuple[ApiScope, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def prefix(self) -> str:
        """The public part of the key (``lg_<id>``), safe to show and log."""
        return f"lg_{self.id}"

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class IssuedApiKey(Frozen):
    """A new key: ``key`` is shown once and never stored in clear."""

    key: Secret
    api_key: ApiKey


class ApiKeyPrincipal(Frozen):
    """Who a verified key speaks for."""

    tenant_slug: str
    tenant_id: UUID
    key_id: str
    name: str
    scopes: frozenset[ApiScope]

    @property
    def actor(self) -> str:
        return f"api_key:{self.key_id}"
