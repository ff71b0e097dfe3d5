"""Secrets at rest: AES-256-GCM under a key derived from LEADGATE_SECRET_KEY.

Ciphertext format: ``v1:<key id>:<urlsafe base64 of 12-byte nonce + ciphertext + tag>``.
``v1`` names the format (AES-256-GCM, random 96-bit nonce); the key id names the server
key it was sealed with (see ``tenant_auth.core.keyring`` for rotation).

An optional ``context`` (e.g. ``"tenant:acme:database_token"``) is authenticated with
the ciphertext: a ciphertext copied into another tenant's row or another column will not
open there.

``Secret`` carries a plaintext secret through the code with a masked ``repr``/``str``, so
a log line, a traceback or a struct repr cannot print it by accident.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from typing import Final, final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tenant_auth.core.errors import DecryptionError
from tenant_auth.core.keyring import KeyPurpose, Keyring

__all__ = ["Secret", "SecretBox"]

_FORMAT: Final = "v1"
_NONCE_BYTES: Final = 12


@final
class Secret:
    """A secret string that does not print itself; ``reveal()`` when it must be used."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)


class SecretBox:
    """Encrypts and decrypts short secrets (tokens, client secrets, webhook URLs).

    Satisfies ``pipeline.tenants.schemas.SecretCipher``.
    """

    __slots__ = ("_keyring",)

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    @classmethod
    def from_secret_key(cls, secret_key: str) -> SecretBox:
        """Raises ``SecretKeyError`` for a malformed LEADGATE_SECRET_KEY."""
        return cls(Keyring.parse(secret_key))

    def __repr__(self) -> str:
        return f"SecretBox(key_id={self._keyring.current_id!r})"

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        key_id = self._keyring.current_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self._keyring.derive(KeyPurpose.SECRET_BOX, key_id)).encrypt(
            nonce, plaintext.encode(), _associated_data(key_id, context)
        )
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"{_FORMAT}:{key_id}:{body}"

    def decrypt(self, ciphertext: str, *, context: str = "") -> str:
        """Raises ``DecryptionError`` for an unknown format or key, or any tampering."""
        version, _, rest = ciphertext.partition(":")
        key_id, _, body = rest.partition(":")
        if version != _FORMAT or not body:
            raise DecryptionError("not a leadgate ciphertext (expected 'v1:<key id>:<data>')")
        if key_id not in self._keyring:
            raise DecryptionError(
                f"sealed with key {key_id!r}, which LEADGATE_SECRET_KEY no longer lists"
            )
        try:
            data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise DecryptionError("ciphertext is not valid base64") from None
        nonce, sealed = data[:_NONCE_BYTES], data[_NONCE_BYTES:]
        try:
            plaintext = AESGCM(self._keyring.derive(KeyPurpose.SECRET_BOX, key_id)).decrypt(
                nonce, sealed, _associated_data(key_id, context)
            )
        except (InvalidTag, ValueError):
            raise DecryptionError(
                "ciphertext failed authentication (tampered, or opened in the wrong context)"
            ) from None
        return plaintext.decode()

    def needs_reseal(self, ciphertext: str) -> bool:
        """True when ``ciphertext`` was sealed with a key other than the current one."""
        return ciphertext.split(":", 2)[1:2] != [self._keyring.current_id]


def _associated_data(key_id: str, context: str) -> bytes:
    return f"{_FORMAT}:{key_id}:{context}".encode()
