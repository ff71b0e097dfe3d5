from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tenant_auth.core.structs import Frozen

__all__ = ["Role", "User"]


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    VIEWER = "viewer"


class User(Frozen):
    id: str
    email: str
    """Lowercase; the invitation key a first sign-in is matched on."""
    name: str | None
    role: Role
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None

    @property
    def actor(self) -> str:
        """How this user appears as the actor of audit events."""
        return f"user:{self.id}"
