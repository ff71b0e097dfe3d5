from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from pipeline.core.structs import Frozen

__all__ = ["SecretCipher", "Tenant"]


class Tenant(Frozen):
    id: UUID
    slug: str
    name: str
    status: Literal["active", "suspended"]
    created_at: datetime


class SecretCipher(Protocol):
    """Encrypts secrets at rest (tenant_auth's SecretBox satisfies this); pipeline never
    sees the key."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, ciphertext: str) -> str: ...
