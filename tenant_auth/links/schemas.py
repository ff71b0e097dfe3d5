from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tenant_auth.core.secretbox import Secret
from tenant_auth.core.structs import Frozen

__all__ = ["LINK_TOKEN_PARAM", "IssuedLink", "LinkGrant", "ResourceLink"]

LINK_TOKEN_PARAM = "link"  # noqa: S105 - a parameter name, not a password
"""Query parameter that carries a link token: ``/dashboards/sla?link=<token>``."""


class ResourceLink(Frozen):
    id: str
    page: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"


class IssuedLink(Frozen):
    link: ResourceLink
    token: Secret

    @property
    def path(self) -> str:
        """The page path with its token, to paste into Bonzo. It is a credential."""
        return f"{self.link.page}?{LINK_TOKEN_PARAM}={self.token.reveal()}"


class LinkGrant(Frozen):
    """What a verified token link allows: reading ``page`` of this tenant, nothing else."""

    tenant_slug: str
    tenant_id: UUID
    link_id: str
    page: str
    expires_at: datetime

    @property
    def actor(self) -> str:
        return f"link:{self.link_id}"
