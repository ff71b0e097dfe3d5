"""Who is sending to ``POST /ingest/{source}``: an API key with the ``ingest`` scope, or a
Standard Webhooks signature with the tenant's secret for that source.

For a signed request, ``webhook-tenant: <slug>`` only says whose secret to check; the
signature over the raw body is what proves it. Every failure is the same 401 (nothing says
whether the tenant, the secret, the timestamp or the signature was wrong), and an unknown
tenant or source costs the same HMAC work as a known one.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Request

from gateway.auth.principal import api_key_principal
from gateway.core.logging import tenant_id_var
from gateway.core.problems import Problem
from gateway.core.resources import Resources
from gateway.ingest import repository
from gateway.ingest.signature import (
    SignatureError,
    digest_matches,
    parse_signed_headers,
    secret_key,
    start_signature,
)
from pipeline.core.db import system_transaction, tenant_transaction
from pipeline.tenants.repository import tenant_id_for_slug
from tenant_auth.core.errors import DecryptionError
from tenant_auth.core.secretbox import SecretBox

__all__ = ["Caller", "authenticate", "secret_context"]

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY_CHARS = 255
_IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_IDEMPOTENCY_KEY_CHARS}}}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def secret_context(tenant_id: UUID, source: str) -> str:
    """Binds a sealed secret to its row: it will not open for another tenant or source."""
    return f"ingest-webhook:{tenant_id}:{source}"


def _unauthorized() -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Authenticate with an API key (Authorization: Bearer ...) or a valid webhook signature.",
        headers={"www-authenticate": 'Bearer realm="leadgate"'},
    )


@dataclass
class PendingSignature:
    """HMACs to feed the raw body into; one per secret still valid for the source."""

    macs: list[hmac.HMAC]
    presented: Sequence[bytes]
    known: bool
    """False when there was no secret to check (unknown tenant or source): the work is
    done on a random key and the answer is always no."""

    def update(self, chunk: bytes) -> None:
        for mac in self.macs:
            mac.update(chunk)

    def verify(self) -> None:
        matched = False
        for mac in self.macs:
            matched |= digest_matches(mac.digest(), self.presented)
        if not (matched and self.known):
            raise _unauthorized()


@dataclass
class Caller:
    tenant_id: UUID
    tenant_slug: str
    rate_key: str
    """Whose request budget this request counts against."""
    idempotency_key: str | None
    signature: PendingSignature | None = field(default=None)
    """Set for signed requests: verify after the body is read, before anything else."""


def _idempotency_key(request: Request[Any, Any, Any]) -> str | None:
    raw = request.headers.get("idempotency-key")
    if raw is None:
        return None
    if not _IDEMPOTENCY_KEY.match(raw):
        raise Problem(
            400,
            "invalid-idempotency-key",
            f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters without spaces.",
        )
    return raw


async def authenticate(request: Request[Any, Any, Any], source: str) -> Caller:
    """Resolve the caller from headers alone. For a signed request the returned
    ``Caller.signature`` must be fed the raw body and verified before the body is used."""
    resources: Resources = request.app.state.resources
    if "authorization" in request.headers or "webhook-signature" not in request.headers:
        principal = await api_key_principal(request, scope="ingest")
        return Caller(
            tenant_id=principal.tenant_id,
            tenant_slug=principal.tenant_slug,
            rate_key=f"key:{principal.subject}",
            idempotency_key=_idempotency_key(request),
        )
    try:
        signed = parse_signed_headers(request.headers, now=time.time())
    except SignatureError as exc:
        log.info("signed ingest refused", extra={"reason": str(exc)})
        raise _unauthorized() from None
    slug = request.headers.get("webhook-tenant", "")
    box: SecretBox = request.app.state.ingest.secret_box
    tenant_id: UUID | None = None
    keys: list[bytes] = []
    if _SLUG.match(slug):
        async with system_transaction(resources.pool) as conn:
            tenant_id = await tenant_id_for_slug(conn, slug=slug)
    if tenant_id is not None:
        async with tenant_transaction(resources.pool, tenant_id) as conn:
            sealed = await repository.webhook_secrets(conn, tenant_id=tenant_id, source=source)
        for ciphertext in sealed or ():
            if ciphertext is None:
                continue
            try:
                keys.append(
                    secret_key(box.decrypt(ciphertext, context=secret_context(tenant_id, source)))
                )
            except (DecryptionError, ValueError):
                log.error("a webhook secret does not open", extra={"source": source})
    known = bool(keys)
    if not known:
        keys = [secrets.token_bytes(24)]
    pending = PendingSignature(
        macs=[start_signature(key, signed.message_id, signed.timestamp) for key in keys],
        presented=signed.signatures,
        known=known,
    )
    if tenant_id is None:
        # Unknown tenant: finish reading and hashing like a real one, then refuse.
        return Caller(
            tenant_id=UUID(int=0),
            tenant_slug="",
            rate_key="unknown",
            idempotency_key=None,
            signature=pending,
        )
    tenant_id_var.set(str(tenant_id))
    return Caller(
        tenant_id=tenant_id,
        tenant_slug=slug,
        rate_key=f"signed:{tenant_id}:{source}",
        # Namespaced: a webhook-id never collides with an Idempotency-Key of an API client.
        idempotency_key=f"webhook-id:{signed.message_id}",
        signature=pending,
    )
