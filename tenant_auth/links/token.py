"""Signed link tokens: ``<key id>.<claims>.<signature>``, each part urlsafe base64 or hex.

The signature is HMAC-SHA256 over ``<key id>.<claims>`` with a key derived from
LEADGATE_SECRET_KEY for link signing only; nothing in the claims is read before it
verifies (in constant time). The claims name the tenant, the link record, the page and
the expiry, so a verified token needs no further input to find its tenant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime

import msgspec

from tenant_auth.core.errors import LinkRejection
from tenant_auth.core.keyring import KeyPurpose, Keyring

__all__ = ["LinkClaims", "sign_link", "verify_token"]

_MAX_TOKEN = 2048


class LinkClaims(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    rename={
        "tenant_slug": "t",
        "link_id": "l",
        "page": "p",
        "expires": "e",
    },
):
    tenant_slug: str
    link_id: str
    page: str
    expires: int
    """Unix seconds."""

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


_decoder = msgspec.json.Decoder(LinkClaims)


def sign_link(keyring: Keyring, claims: LinkClaims) -> str:
    key_id = keyring.current_id
    body = _b64(msgspec.json.encode(claims))
    return f"{key_id}.{body}.{_b64(_signature(keyring, key_id, body))}"


def verify_token(keyring: Keyring, token: str) -> LinkClaims | LinkRejection:
    """The claims of an authentic token, or why it is not one (``MALFORMED`` or
    ``TAMPERED``). Expiry and revocation are the caller's to check."""
    if len(token) > _MAX_TOKEN or token.count(".") != 2:
        return LinkRejection.MALFORMED
    key_id, body, signature = token.split(".")
    if key_id not in keyring:
        return LinkRejection.TAMPERED
    try:
        presented = _unb64(signature)
    except ValueError:
        return LinkRejection.MALFORMED
    if not hmac.compare_digest(presented, _signature(keyring, key_id, body)):
        return LinkRejection.TAMPERED
    try:
        return _decoder.decode(_unb64(body))
    except (ValueError, msgspec.DecodeError):
        # Authentic but unreadable: only a bug on our side makes this.
        return LinkRejection.MALFORMED


def _signature(keyring: Keyring, key_id: str, body: str) -> bytes:
    key = keyring.derive(KeyPurpose.LINK_SIGNING, key_id)
    return hmac.new(key, f"{key_id}.{body}".encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
