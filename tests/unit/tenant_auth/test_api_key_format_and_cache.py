"""API key format, keyed hash and the short verification cache."""

from __future__ import annotations

import secrets
import uuid

from tenant_auth.apikeys.cache import VerificationCache
from tenant_auth.apikeys.keys import generate_key, key_digest, key_id_of, parse_key_id
from tenant_auth.apikeys.schemas import ApiKeyPrincipal, ApiScope
from tenant_auth.core.errors import ApiKeyRejection
from tenant_auth.core.keyring import Keyring

KEYRING = Keyring.parse(secrets.token_urlsafe(32))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _principal(key_id: str, slug: str = "acme") -> ApiKeyPrincipal:
    return ApiKeyPrincipal(
        tenant_slug=slug,
        tenant_id=uuid.uuid4(),
        key_id=key_id,
        name="feed",
        scopes=frozenset({ApiScope.INGEST}),
    )


def test_generated_key_carries_its_public_id_and_nothing_of_the_tenant() -> None:
    key_id, key = generate_key()
    text = key.reveal()
    assert text.startswith(f"lg_{key_id}_")
    assert len(text) == 3 + 16 + 1 + 52
    assert key_id_of(text) == key_id
    assert parse_key_id(f"lg_{key_id}") == key_id == parse_key_id(key_id)


def test_generated_keys_differ() -> None:
    assert len({generate_key()[1].reveal() for _ in range(100)}) == 100


def test_digest_depends_on_the_server_key() -> None:
    _, key = generate_key()
    other = Keyring.parse(secrets.token_urlsafe(32))
    assert key_digest(KEYRING, key.reveal()) == key_digest(KEYRING, key.reveal())
    assert key_digest(KEYRING, key.reveal()) != key_digest(other, key.reveal())


def test_cached_outcome_needs_the_same_digest() -> None:
    cache = VerificationCache(ttl_s=5, clock=FakeClock())
    cache.put("k1", b"digest-a", _principal("k1"))
    assert (
        cache.get("k1", b"digest-a") == _principal("k1") or cache.get("k1", b"digest-a") is not None
    )
    assert cache.get("k1", b"digest-b") is None


def test_cached_outcome_expires_after_the_ttl() -> None:
    clock = FakeClock()
    cache = VerificationCache(ttl_s=5, clock=clock)
    cache.put("k1", b"d", ApiKeyRejection.REVOKED)
    clock.now = 4.99
    assert cache.get("k1", b"d") is ApiKeyRejection.REVOKED
    clock.now = 5.0
    assert cache.get("k1", b"d") is None


def test_cache_forgets_a_key_or_a_tenant_on_demand() -> None:
    cache = VerificationCache(ttl_s=5, clock=FakeClock())
    cache.put("k1", b"d", _principal("k1", "acme"))
    cache.put("k2", b"d", _principal("k2", "acme"))
    cache.put("k3", b"d", _principal("k3", "beta"))
    cache.forget("k1")
    cache.forget_tenant("acme")
    assert [cache.get(k, b"d") is None for k in ("k1", "k2", "k3")] == [True, True, False]


def test_cache_size_is_bounded_dropping_the_least_recently_used() -> None:
    cache = VerificationCache(ttl_s=5, max_entries=2, clock=FakeClock())
    cache.put("k1", b"d", ApiKeyRejection.UNKNOWN)
    cache.put("k2", b"d", ApiKeyRejection.UNKNOWN)
    cache.get("k1", b"d")
    cache.put("k3", b"d", ApiKeyRejection.UNKNOWN)
    assert [cache.get(k, b"d") is None for k in ("k1", "k2", "k3")] == [False, True, False]
