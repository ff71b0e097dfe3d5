"""Server-side sessions in Redis for people using the gateway in a browser.

The cookie carries only a random session id; everything else stays in Redis under the
SHA-256 of that id, so a leaked Redis dump holds no usable cookie. A session is created
anonymous (it holds the CSRF token of the login form and the sign-ins in flight), and
replaced by a brand-new one when someone signs in: the id is rotated at login, never
reused, so a session id planted before login (fixation) is worth nothing after it.

Idle timeout: every use pushes the Redis expiry out by the idle timeout. Absolute timeout:
the expiry never goes past ``created_at`` plus the absolute timeout, and a session read
past that is destroyed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from uuid import UUID

import msgspec
from redis.asyncio import Redis

from gateway.settings import SessionSettings
from pipeline.core.structs import Frozen

__all__ = [
    "ANONYMOUS_TTL_S",
    "PendingLogin",
    "Session",
    "SessionStore",
    "SignedInUser",
]

ANONYMOUS_TTL_S = 15 * 60
"""Idle lifetime of a session nobody has signed in to (a login form, a sign-in in flight)."""

_KEY_PREFIX = "leadgate:session:"
_ID_BYTES = 32
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


class SignedInUser(Frozen):
    """Who the session belongs to. Role and active status are re-read from the tenant's
    database on every request, so they are not cached here."""

    tenant_slug: str
    tenant_id: UUID
    user_id: str


class PendingLogin(Frozen):
    """One authorization request in flight, bound to this browser's session."""

    state: str
    nonce: str
    code_verifier: str
    tenant_slug: str
    issuer: str
    next_path: str
    started_at: float
    """Unix seconds."""


class SessionData(Frozen):
    csrf_token: str
    created_at: float
    """Unix seconds; the absolute timeout counts from here."""
    user: SignedInUser | None = None
    pending_logins: tuple[PendingLogin, ...] = ()


class Session(Frozen):
    id: str
    """The cookie value. Never log it, never store it."""
    data: SessionData

    @property
    def csrf_token(self) -> str:
        return self.data.csrf_token

    @property
    def user(self) -> SignedInUser | None:
        return self.data.user


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(SessionData)


class SessionStore:
    """Create, read, update and destroy sessions. One per process, shared by requests."""

    def __init__(
        self,
        redis: Redis,
        settings: SessionSettings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._settings = settings
        self._clock = clock

    async def create(self, *, user: SignedInUser | None = None) -> Session:
        """A new session with a fresh id and CSRF token, stored before it is returned."""
        session = Session(
            id=secrets.token_urlsafe(_ID_BYTES),
            data=SessionData(
                csrf_token=secrets.token_urlsafe(_ID_BYTES),
                created_at=self._clock(),
                user=user,
            ),
        )
        await self.save(session)
        return session

    async def load(self, session_id: str) -> Session | None:
        """The live session with this id, its idle expiry pushed out; ``None`` if it does
        not exist, expired, or is past its absolute timeout (then it is destroyed)."""
        if not _SESSION_ID.match(session_id):
            return None
        key = _key(session_id)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        try:
            data = _decoder.decode(raw)
        except msgspec.DecodeError:
            # Written by an incompatible version: treat as signed out.
            await self._redis.delete(key)
            return None
        ttl = self._ttl(data)
        if ttl <= 0:
            await self._redis.delete(key)
            return None
        await self._redis.expire(key, ttl)
        return Session(id=session_id, data=data)

    async def save(self, session: Session) -> None:
        ttl = self._ttl(session.data)
        if ttl <= 0:
            await self.destroy(session.id)
            return
        await self._redis.set(_key(session.id), _encoder.encode(session.data), ex=ttl)

    async def destroy(self, session_id: str) -> None:
        if _SESSION_ID.match(session_id):
            await self._redis.delete(_key(session_id))

    async def sign_in(self, previous: Session | None, user: SignedInUser) -> Session:
        """Destroy ``previous`` and return a new session (new id, new CSRF token) for
        ``user``: the id is never carried across a login."""
        if previous is not None:
            await self.destroy(previous.id)
        return await self.create(user=user)

    def _ttl(self, data: SessionData) -> int:
        """Whole seconds this session may stay idle from now, within its absolute limit."""
        remaining = data.created_at + self._settings.absolute_timeout_s - self._clock()
        idle = self._settings.idle_timeout_s
        if data.user is None:
            idle = min(idle, ANONYMOUS_TTL_S)
        return int(min(idle, remaining))


def _key(session_id: str) -> str:
    return _KEY_PREFIX + hashlib.sha256(session_id.encode()).hexdigest()
