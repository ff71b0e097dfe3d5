"""What a browser presents on each request: the session cookie, and on state-changing
requests the CSRF token of that session.

CSRF defence is a synchronizer token: each session holds a random token, forms carry it in
a hidden ``csrf_token`` field and scripts in an ``X-CSRF-Token`` header, and any unsafe
request made with a session must present it. When the browser sends ``Origin``, it must
also be this gateway's own origin. (``SameSite=Lax`` on the cookie is a second fence, not
the only one.) Requests authenticated by an API key carry no ambient credential and need
no token.
"""

from __future__ import annotations

import hmac
import urllib.parse
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers import BaseRouteHandler

from gateway.auth.services import auth_services
from gateway.auth.sessions import Session
from gateway.core.problems import Problem
from gateway.settings import Settings

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SAFE_METHODS",
    "cleared_session_cookie",
    "forget_request_session",
    "request_session",
    "require_csrf",
    "session_cookie",
    "verify_csrf",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_STATE_KEY = "session"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def session_cookie(settings: Settings, session: Session) -> Cookie:
    """The cookie that carries ``session``'s id: ``__Host-`` prefixed and ``Secure``
    unless secure cookies are off (plain-http development), always ``HttpOnly``,
    ``SameSite=Lax``, host-only, path ``/``. No ``Max-Age``: it ends with the browser,
    and the server-side timeouts end it sooner."""
    return Cookie(
        key=settings.session.cookie_name,
        value=session.id,
        path="/",
        secure=settings.session.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def cleared_session_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=settings.session.cookie_name,
        value="",
        path="/",
        secure=settings.session.cookie_secure,
        httponly=True,
        samesite="lax",
        max_age=0,
        expires=0,
    )


async def request_session(connection: ASGIConnection[Any, Any, Any, Any]) -> Session | None:
    """The live session named by the request's cookie (loaded once per request)."""
    state = connection.scope.setdefault("state", {})
    if _STATE_KEY in state:
        cached: Session | None = state[_STATE_KEY]
        return cached
    services = auth_services(connection)
    session_id = connection.cookies.get(services.settings.session.cookie_name)
    session = None if not session_id else await services.sessions.load(session_id)
    state[_STATE_KEY] = session
    return session


def forget_request_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """After destroying or replacing the session mid-request."""
    connection.scope.setdefault("state", {}).pop(_STATE_KEY, None)


async def verify_csrf(connection: ASGIConnection[Any, Any, Any, Any]) -> Session:
    """For an unsafe request made with a session: the session, once its CSRF token and
    the request's origin check out. Raises a 403 problem otherwise (also when there is no
    session at all: a form posted without one cannot be trusted)."""
    services = auth_services(connection)
    origin = connection.headers.get("origin")
    if origin is not None and origin != _origin(services.settings.http.base_url):
        raise Problem(403, "csrf", "Cross-origin request refused.")
    session = await request_session(connection)
    presented = connection.headers.get(CSRF_HEADER)
    if presented is None and isinstance(connection, Request):
        content_type = connection.headers.get("content-type", "")
        if content_type.startswith(_FORM_TYPES):
            value = (await connection.form()).get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
    if (
        session is None
        or not presented
        or not hmac.compare_digest(presented.encode(), session.csrf_token.encode())
    ):
        raise Problem(
            403,
            "csrf",
            "This form has expired or did not come from this site. Reload the page and try again.",
        )
    return session


async def require_csrf(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Route guard for forms that anyone may post (sign-in, sign-out): a session and its
    CSRF token are required even before anyone has signed in."""
    await verify_csrf(connection)


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
