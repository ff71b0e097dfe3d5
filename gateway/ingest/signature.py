"""Standard Webhooks signatures (https://www.standardwebhooks.com/), the way vendors can
authenticate without an API key.

A signed request carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature`` (space-separated ``v1,<base64 HMAC-SHA256>`` entries) computed with
the shared secret over ``"{id}.{timestamp}.{raw body}"``. The timestamp must be within
five minutes of our clock, which bounds how long a captured request can be replayed; the
``webhook-id`` then doubles as the idempotency key, so a replay inside the window answers
with the first response instead of storing anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence

from pipeline.core.structs import Frozen

__all__ = [
    "SECRET_PREFIX",
    "TOLERANCE_S",
    "SignatureError",
    "SignedHeaders",
    "digest_matches",
    "generate_secret",
    "parse_signed_headers",
    "secret_key",
    "sign",
    "start_signature",
]

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret
TOLERANCE_S = 5 * 60
SECRET_BYTES = 24
MAX_ID_CHARS = 255

# Printable ASCII without spaces: the id is echoed into a database key and logs.
_ID = re.compile(rf"^[\x21-\x7e]{{1,{MAX_ID_CHARS}}}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class SignatureError(ValueError):
    """The signature headers are missing, malformed or stale. The message is for logs;
    callers answer every case with the same 401."""


class SignedHeaders(Frozen):
    message_id: str
    timestamp: int
    signatures: tuple[bytes, ...]
    """The decoded ``v1`` signatures (other versions are ignored, as the spec says)."""


def generate_secret() -> str:
    """A new ``whsec_…`` secret: 24 random bytes, base64, as Standard Webhooks senders
    expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a ``whsec_…`` secret. Raises ``ValueError`` for a malformed one."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("a webhook secret is whsec_ followed by base64") from None


def parse_signed_headers(headers: Mapping[str, str], *, now: float) -> SignedHeaders:
    """Read and check the three headers (``now`` in Unix seconds)."""
    message_id = headers.get("webhook-id", "")
    raw_timestamp = headers.get("webhook-timestamp", "")
    raw_signatures = headers.get("webhook-signature", "")
    if not _ID.match(message_id):
        raise SignatureError("webhook-id missing or not 1-255 printable ASCII characters")
    if not _TIMESTAMP.match(raw_timestamp):
        raise SignatureError("webhook-timestamp missing or not Unix seconds")
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > TOLERANCE_S:
        raise SignatureError("webhook-timestamp outside the 5-minute tolerance")
    signatures: list[bytes] = []
    for entry in raw_signatures.split():
        version, _, value = entry.partition(",")
        if version != "v1":
            continue
        try:
            signatures.append(base64.b64decode(value, validate=True))
        except binascii.Error:
            continue
    if not signatures:
        raise SignatureError("webhook-signature has no v1 signature")
    return SignedHeaders(message_id=message_id, timestamp=timestamp, signatures=tuple(signatures))


def start_signature(key: bytes, message_id: str, timestamp: int) -> hmac.HMAC:
    """An HMAC to feed the raw body into, chunk by chunk, as it arrives."""
    return hmac.new(key, f"{message_id}.{timestamp}.".encode(), hashlib.sha256)


def digest_matches(digest: bytes, signatures: Sequence[bytes]) -> bool:
    """Constant-time comparison against every presented signature (all are compared, so
    the time does not say which one matched)."""
    matched = False
    for signature in signatures:
        matched |= hmac.compare_digest(digest, signature)
    return matched


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value a sender computes; for clients and tests."""
    mac = start_signature(secret_key(secret), message_id, timestamp)
    mac.update(body)
    return "v1," + base64.b64encode(mac.digest()).decode()
