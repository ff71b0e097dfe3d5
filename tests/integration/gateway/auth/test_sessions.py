"""The Redis session store: idle and absolute timeouts, ids that never reach Redis in
clear, rotation at sign-in."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gateway.auth.sessions import ANONYMOUS_TTL_S, SessionStore, SignedInUser
from gateway.settings import SessionSettings

SETTINGS = SessionSettings(cookie_secure=True, idle_timeout_s=1800, absolute_timeout_s=43200)
USER = SignedInUser(tenant_slug="acme", tenant_id=uuid.uuid4(), user_id="user-1")


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(redis: Redis, clock: Clock) -> SessionStore:
    return SessionStore(redis, SETTINGS, clock=clock)


def _key(session_id: str) -> str:
    return "leadgate:session:" + hashlib.sha256(session_id.encode()).hexdigest()


async def test_signed_in_session_lives_for_the_idle_timeout(
    store: SessionStore, redis: Redis
) -> None:
    session = await store.create(user=USER)

    ttl = await redis.ttl(_key(session.id))

    assert SETTINGS.idle_timeout_s - 5 <= ttl <= SETTINGS.idle_timeout_s
    await store.destroy(session.id)


async def test_using_a_session_pushes_its_idle_expiry_out(
    store: SessionStore, redis: Redis
) -> None:
    session = await store.create(user=USER)
    await redis.expire(_key(session.id), 60)

    loaded = await store.load(session.id)

    assert loaded is not None
    assert await redis.ttl(_key(session.id)) > 60
    await store.destroy(session.id)


async def test_anonymous_session_lives_at_most_fifteen_minutes(
    store: SessionStore, redis: Redis
) -> None:
    session = await store.create()

    assert await redis.ttl(_key(session.id)) <= ANONYMOUS_TTL_S
    await store.destroy(session.id)


async def test_idle_expiry_never_goes_past_the_absolute_timeout(
    store: SessionStore, redis: Redis, clock: Clock
) -> None:
    session = await store.create(user=USER)
    clock.now += SETTINGS.absolute_timeout_s - 100

    assert await store.load(session.id) is not None

    assert await redis.ttl(_key(session.id)) <= 100
    await store.destroy(session.id)


async def test_session_past_its_absolute_timeout_is_destroyed(
    store: SessionStore, redis: Redis, clock: Clock
) -> None:
    session = await store.create(user=USER)
    clock.now += SETTINGS.absolute_timeout_s

    assert await store.load(session.id) is None
    assert await redis.exists(_key(session.id)) == 0


async def test_redis_never_holds_the_session_id_in_clear(store: SessionStore, redis: Redis) -> None:
    session = await store.create(user=USER)

    assert await redis.exists("leadgate:session:" + session.id) == 0
    stored = await redis.get(_key(session.id))
    assert stored is not None
    assert session.id.encode() not in stored
    await store.destroy(session.id)


async def test_sign_in_replaces_the_session_with_a_new_id_and_token(
    store: SessionStore, redis: Redis
) -> None:
    anonymous = await store.create()

    signed_in = await store.sign_in(anonymous, USER)

    assert signed_in.id != anonymous.id
    assert signed_in.csrf_token != anonymous.csrf_token
    assert signed_in.user == USER
    assert await store.load(anonymous.id) is None
    await store.destroy(signed_in.id)


@pytest.mark.parametrize("presented", ["", "short", "x" * 43 + "!", "../" * 15])
async def test_malformed_session_ids_are_not_looked_up(store: SessionStore, presented: str) -> None:
    assert await store.load(presented) is None
