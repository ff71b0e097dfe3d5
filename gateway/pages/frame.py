"""What every operational page shares: who is looking (and what they may do), the
tenant's name, the CSRF token for its forms, and the response headers.

Batch and lead pages may be opened through a resource link (read-only, possibly framed
by Bonzo); pages with actions (upload, deliveries) are never framed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from litestar import Request
from litestar.response import Template

from gateway.auth.browser import request_session
from gateway.auth.pages import page_headers
from gateway.auth.principal import Principal, principal_of
from gateway.core.resources import Resources
from pipeline.core.db import Connection
from pipeline.tenants import repository as tenant_repository

__all__ = ["page_context", "render"]


async def page_context(
    request: Request[Any, Any, Any], conn: Connection, *, title: str, section: str
) -> dict[str, Any]:
    """The layout's context: ``viewer`` (the principal), ``csrf`` (``None`` for a link
    holder, who has no session and no forms), ``tenant_name``, what the viewer may do
    (``can_ingest``, ``can_replay``, ``can_export``), the page ``title`` and nav
    ``section``, and ``utc`` (pages show times in UTC)."""
    principal: Principal = principal_of(request)
    csrf: str | None = None
    if principal.kind == "user":
        session = await request_session(request)
        csrf = None if session is None else session.csrf_token
    tenant = await tenant_repository.get_tenant(conn, tenant_id=principal.tenant_id)
    return {
        "title": title,
        "utc": UTC,
        "section": section,
        "viewer": principal,
        "csrf": csrf,
        "tenant_name": principal.tenant_slug if tenant is None else tenant.name,
        "can_ingest": principal.kind == "user" and "ingest" in principal.scopes,
        "can_replay": principal.kind == "user" and "admin" in principal.scopes,
        "can_export": principal.kind == "user",
    }


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    frameable: bool = False,
    scripts: bool = False,
) -> Template:
    """An HTML page with the sign-in pages' strict policy; ``scripts`` also allows our
    own static scripts and their same-origin requests (never inline script)."""
    resources: Resources = request.app.state.resources
    headers = page_headers(resources.settings, frameable=frameable)
    if scripts:
        headers["content-security-policy"] += "; script-src 'self'; connect-src 'self'"
    return Template(
        template_name=template,
        context=dict(context),
        status_code=status,
        headers=headers,
        media_type="text/html",
    )
