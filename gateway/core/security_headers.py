"""Security headers on every response.

- ``Content-Security-Policy``: scripts and styles from our own origin only (no inline
  script, no ``eval``), no plugins, no ``<base>`` rewriting, forms post to us only, and
  ``frame-ancestors`` limited to ourselves plus the configured origins (Bonzo's app, which
  opens resource links in a frame).
- ``Strict-Transport-Security`` only when the request arrived over TLS (directly, or per
  the trusted proxy's ``X-Forwarded-Proto``): over plain http browsers ignore it, and
  sending it from a dev server on loopback would pin ``localhost`` to https.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` (resource link
  URLs carry tokens; they must not leak to other sites through ``Referer``). Not
  ``no-referrer``: under it Chromium posts same-site forms with ``Origin: null``, which the
  CSRF check must refuse.

A header a handler set itself (for example a proxied page with its own policy) is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeadersMiddleware", "content_security_policy"]

HSTS = b"max-age=31536000; includeSubDomains"


def content_security_policy(frame_ancestors: Sequence[str]) -> str:
    ancestors = " ".join(("'self'", *frame_ancestors))
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, frame_ancestors: Sequence[str]) -> None:
        self.app = app
        self._headers: tuple[tuple[bytes, bytes], ...] = (
            (b"content-security-policy", content_security_policy(frame_ancestors).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        extra = self._headers
        if scope.get("scheme") == "https":
            extra = (*extra, (b"strict-transport-security", HSTS))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in extra if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
