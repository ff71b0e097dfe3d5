"""The server keys behind LEADGATE_SECRET_KEY, and the purpose keys derived from them.

Format of LEADGATE_SECRET_KEY: one or more keys separated by commas, the first being the
current one. Each key is urlsafe base64 (padding optional) of at least 32 random bytes,
e.g. the output of ``python -c 'import secrets; print(secrets.token_urlsafe(32))'``.

Rotation: put a new key first and keep the old ones after it. New ciphertexts, API key
hashes and link signatures use the first key; older ones name the key they were made
with (by a short fingerprint) and keep working while that key stays in the list.

Raw keys are never used directly: each use (encryption, API key hashing, link signing)
gets its own key through HKDF-SHA256, so a weakness in one use cannot leak another's key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tenant_auth.core.errors import SecretKeyError

__all__ = ["MIN_KEY_BYTES", "KeyPurpose", "Keyring"]

MIN_KEY_BYTES = 32
_GENERATE_HINT = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"


class KeyPurpose(StrEnum):
    SECRET_BOX = "secret-box"  # noqa: S105 - a purpose label, not a password
    API_KEY_HASH = "api-key-hash"
    LINK_SIGNING = "link-signing"


class Keyring:
    """Parsed server keys. ``current_id`` names the key new material is made with."""

    __slots__ = ("_derived", "_keys", "current_id")

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise SecretKeyError(f"LEADGATE_SECRET_KEY: no key given; {_GENERATE_HINT}")
        self._keys: dict[str, bytes] = {}
        for raw in keys:
            key_id = _fingerprint(raw)
            if key_id in self._keys:
                raise SecretKeyError("LEADGATE_SECRET_KEY: the same key is listed twice")
            self._keys[key_id] = raw
        self.current_id = _fingerprint(keys[0])
        self._derived: dict[tuple[str, KeyPurpose], bytes] = {}

    @classmethod
    def parse(cls, value: str) -> Keyring:
        """Parse the LEADGATE_SECRET_KEY format described in the module docstring.

        Raises ``SecretKeyError`` naming the position of a bad key, never its text.
        """
        parts = [part.strip() for part in value.split(",")]
        if not value.strip() or any(not part for part in parts):
            raise SecretKeyError(
                "LEADGATE_SECRET_KEY: expected one or more comma-separated keys; " + _GENERATE_HINT
            )
        return cls([_decode(part, position, len(parts)) for position, part in enumerate(parts, 1)])

    def __repr__(self) -> str:
        return f"Keyring(current_id={self.current_id!r}, keys={len(self._keys)})"

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def derive(self, purpose: KeyPurpose, key_id: str | None = None) -> bytes:
        """The 32-byte key for ``purpose`` under server key ``key_id`` (current by default).

        Raises ``KeyError`` for a key id no longer configured.
        """
        key_id = self.current_id if key_id is None else key_id
        cached = self._derived.get((key_id, purpose))
        if cached is None:
            hkdf = HKDF(
                algorithm=hashes.SHA256(),
                length=32,
                salt=None,
                info=f"leadgate/{purpose}/v1".encode(),
            )
            cached = hkdf.derive(self._keys[key_id])
            self._derived[(key_id, purpose)] = cached
        return cached


def _decode(text: str, position: int, count: int) -> bytes:
    where = f"LEADGATE_SECRET_KEY: key {position} of {count}"
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SecretKeyError(f"{where} is not urlsafe base64; {_GENERATE_HINT}") from None
    if len(raw) < MIN_KEY_BYTES:
        raise SecretKeyError(
            f"{where} decodes to {len(raw)} bytes; at least {MIN_KEY_BYTES} random bytes are "
            f"needed; {_GENERATE_HINT}"
        )
    return raw


def _fingerprint(raw: bytes) -> str:
    # 8 hex digits of a hash of a 256-bit random key: enough to tell a handful of keys
    # apart, and reveals nothing usable about the key.
    return hashlib.sha256(b"leadgate/key-id\x00" + raw).hexdigest()[:8]
