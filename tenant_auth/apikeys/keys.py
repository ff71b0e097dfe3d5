"""The API key format and its keyed hash.

A key reads ``lg_<key id>_<secret>``: 16 and 52 characters of lowercase base32 (80 and 256
random bits; no ``_`` inside, so it splits unambiguously and selects with a double
click). The key id is public, server-made and random: the registry maps it to the one
tenant whose database holds the key's record, so a presented key cannot choose a
database, and the secret is then checked there.

Only ``HMAC-SHA256(pepper, whole key)`` is stored. A slow password hash would add nothing
for 256 random bits; the pepper (derived from LEADGATE_SECRET_KEY) means a stolen tenant
database alone does not even allow offline guessing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from tenant_auth.core.keyring import KeyPurpose, Keyring
from tenant_auth.core.secretbox import Secret

__all__ = ["generate_key", "key_digest", "key_id_of", "parse_key_id"]

_KEY = re.compile(r"^lg_([a-z2-7]{16})_[a-z2-7]{52}$")
_KEY_ID = re.compile(r"^(?:lg_)?([a-z2-7]{16})$")


def generate_key() -> tuple[str, Secret]:
    """A new ``(key id, whole key)``."""
    key_id = _base32(secrets.token_bytes(10))
    return key_id, Secret(f"lg_{key_id}_{_base32(secrets.token_bytes(32))}")


def key_id_of(presented: str) -> str | None:
    """The key id of a well-formed key, else None."""
    match = _KEY.match(presented)
    return match[1] if match else None


def parse_key_id(text: str) -> str | None:
    """A key id given by an operator, bare or as the ``lg_<id>`` prefix."""
    match = _KEY_ID.match(text.strip())
    return match[1] if match else None


def key_digest(keyring: Keyring, presented: str, key_id: str | None = None) -> bytes:
    """HMAC of the whole key under server key ``key_id`` (current by default).

    Raises ``KeyError`` if that server key is no longer configured.
    """
    pepper = keyring.derive(KeyPurpose.API_KEY_HASH, key_id)
    return hmac.new(pepper, presented.encode(), hashlib.sha256).digest()


def _base32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").lower()
