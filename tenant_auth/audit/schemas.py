from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from tenant_auth.core.structs import Frozen

__all__ = ["AuditAction", "AuditDetail", "AuditEvent", "AuditOutcome"]

AuditDetail = Mapping[str, str | int | bool | None]
"""Small JSON object stored with an event. Never put secrets in it."""


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    USER_INVITED = "user.invited"
    USER_DEACTIVATED = "user.deactivated"
    IDENTITY_LINKED = "user.identity_linked"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    API_KEY_REJECTED = "api_key.rejected"
    LINK_CREATED = "link.created"
    LINK_REVOKED = "link.revoked"
    LINK_REJECTED = "link.rejected"
    OIDC_CONFIGURED = "tenant.oidc_configured"
    EXPORT = "export"


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


class AuditEvent(Frozen):
    id: int
    occurred_at: datetime
    action: str
    outcome: AuditOutcome
    actor: str
    """Who acted: ``cli``, ``user:<id>``, ``api_key:<id>``, ``link:<id>``, ``anonymous``."""
    target: str | None
    """What was acted on, e.g. an email, ``api_key:<id>``, ``link:<id>``."""
    detail: dict[str, str | int | bool | None]
