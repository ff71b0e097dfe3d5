"""Receiving Bonzo event hooks, and the tenant's shared code they are checked against.

``receive_event`` runs on the request path in one transaction: resolve the tenant, check
the shared ``x-bonzo-code`` in constant time, store the body, then apply it inside a
savepoint (``pipeline.journey.apply``). Applying is a handful of indexed statements, cheap enough to do inline; if it
fails anyway the stored event survives (the savepoint rolls back alone), the failure is
logged, and the event is applied again when Bonzo repeats it.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from typing import Any, Final
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from pipeline.core.db import system_transaction, tenant_transaction
from pipeline.journey import repository
from pipeline.journey.apply import apply_event
from pipeline.journey.envelope import InvalidEventBody, read_event
from pipeline.journey.schemas import EventReceipt
from pipeline.tenants import repository as tenants_repository
from pipeline.tenants.schemas import SecretCipher

__all__ = [
    "EventCodeRejected",
    "EventCodeUnreadable",
    "InvalidEventBody",
    "InvalidEventCode",
    "new_event_code",
    "receive_event",
    "set_event_code",
]

log = logging.getLogger(__name__)

_SLUG: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# Printable ASCII without spaces: it travels in an HTTP header.
_CODE: Final = re.compile(r"[\x21-\x7e]{16,200}")


class EventCodeRejected(Exception):
    """Unknown or inactive tenant, no code configured, or the wrong code (HTTP 401: the
    caller is not told which)."""


class EventCodeUnreadable(Exception):
    """The tenant's stored code cannot be decrypted (LEADGATE_SECRET_KEY no longer lists
    its key): the operator must set a new code."""


class InvalidEventCode(ValueError):
    """A code given to ``set_event_code`` is not usable; the message says why."""


def new_event_code() -> str:
    """A fresh random code (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


async def set_event_code(
    pool: AsyncConnectionPool[Any], cipher: SecretCipher, *, tenant_id: UUID, code: str
) -> None:
    """Store ``code`` (encrypted) as the tenant's ``x-bonzo-code``, replacing any other.
    Raises ``InvalidEventCode`` for a code that cannot travel in a header or is too short
    to be a secret."""
    if _CODE.fullmatch(code) is None:
        raise InvalidEventCode("the code must be 16-200 printable ASCII characters without spaces")
    async with tenant_transaction(pool, tenant_id) as conn:
        await repository.upsert_event_code(
            conn, tenant_id=tenant_id, code_ciphertext=cipher.encrypt(code)
        )


async def receive_event(
    pool: AsyncConnectionPool[Any],
    cipher: SecretCipher,
    *,
    tenant_slug: str,
    presented_code: str | None,
    body: bytes,
) -> EventReceipt:
    """Verify, store and apply one event hook delivery.

    Raises ``EventCodeRejected`` (nothing stored), ``EventCodeUnreadable``, or
    ``InvalidEventBody`` when the code is right but the body is not a JSON object.
    A repeat of a stored event is answered with the first copy's receipt (``repeat``
    set) and changes nothing but a counter.
    """
    if presented_code is None or _SLUG.fullmatch(tenant_slug) is None:
        raise EventCodeRejected
    async with system_transaction(pool) as conn:
        tenant_id = await tenants_repository.tenant_id_for_slug(conn, slug=tenant_slug)
    if tenant_id is None:
        raise EventCodeRejected
    async with tenant_transaction(pool, tenant_id) as conn:
        ciphertext = await repository.event_code(conn, tenant_id=tenant_id)
        if ciphertext is None:
            log.warning(
                "bonzo event hook received but the tenant has no code set",
                extra={"tenant_id": str(tenant_id)},
            )
            raise EventCodeRejected
        if not hmac.compare_digest(
            _decrypt(cipher, ciphertext, tenant_id), presented_code.encode()
        ):
            raise EventCodeRejected
        event = read_event(body)
        stored = await repository.store_event(
            conn,
            tenant_id=tenant_id,
            idempotency_key=event.idempotency_key,
            event=event.event,
            bonzo_prospect_id=None if event.prospect is None else event.prospect.id,
            body=body.decode(),
        )
        outcome = stored.outcome
        if outcome is None:
            try:
                async with conn.transaction():
                    outcome = await apply_event(
                        conn,
                        tenant_id=tenant_id,
                        event_id=stored.id,
                        event=event,
                        received_at=stored.received_at,
                    )
            except Exception:
                log.exception(
                    "bonzo event stored but not applied",
                    extra={"tenant_id": str(tenant_id), "event_id": str(stored.id)},
                )
    return EventReceipt(event_id=stored.id, repeat=not stored.inserted, outcome=outcome)


def _decrypt(cipher: SecretCipher, ciphertext: str, tenant_id: UUID) -> bytes:
    try:
        return cipher.decrypt(ciphertext).encode()
    except Exception as exc:  # the cipher's own error types are not part of its Protocol
        log.error(
            "the tenant's bonzo event hook code cannot be decrypted; set a new one with "
            "`leadgate tenant bonzo-code`",
            extra={"tenant_id": str(tenant_id), "error": type(exc).__name__},
        )
        raise EventCodeUnreadable from None
