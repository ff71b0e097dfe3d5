"""Short-lived memory of API key verifications, so a busy ingest endpoint does not read
two databases per request.

Entries live ``ttl_s`` seconds (a few): that bounds how long another process keeps
accepting a key after it is revoked. The revoking process forgets the entry at once.
An entry is only used when the presented key hashes to the digest it was stored under,
so a cached success can never be reached with a different secret. Size is bounded
(least recently used entries go first) so random keys cannot grow memory.
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from tenant_auth.apikeys.schemas import ApiKeyPrincipal
from tenant_auth.core.errors import ApiKeyRejection

__all__ = ["VerificationCache"]

Outcome = ApiKeyPrincipal | ApiKeyRejection


@dataclass(frozen=True, slots=True)
class _Entry:
    digest: bytes
    outcome: Outcome
    expires_at: float


class VerificationCache:
    def __init__(
        self,
        *,
        ttl_s: float = 5.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, key_id: str, digest: bytes) -> Outcome | None:
        entry = self._entries.get(key_id)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            del self._entries[key_id]
            return None
        if not hmac.compare_digest(entry.digest, digest):
            return None
        self._entries.move_to_end(key_id)
        return entry.outcome

    def put(self, key_id: str, digest: bytes, outcome: Outcome) -> None:
        self._entries[key_id] = _Entry(digest, outcome, self._clock() + self._ttl_s)
        self._entries.move_to_end(key_id)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def forget(self, key_id: str) -> None:
        self._entries.pop(key_id, None)

    def forget_tenant(self, tenant_slug: str) -> None:
        """Drop every cached success for a tenant (suspended, or its keys re-keyed)."""
        for key_id in [
            key_id
            for key_id, entry in self._entries.items()
            if isinstance(entry.outcome, ApiKeyPrincipal)
            and entry.outcome.tenant_slug == tenant_slug
        ]:
            del self._entries[key_id]
