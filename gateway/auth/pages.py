"""Response headers and rendering for server-rendered pages.

Pages load nothing from elsewhere and carry no inline script or style, so their policy is
stricter than the app-wide one (``gateway.core.security_headers``, which also adds
``nosniff`` and ``Referrer-Policy: same-origin`` to every response). ``no-store`` keeps
signed-in pages and redirects carrying sessions out of caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response, Template

from gateway.auth.principal import SignInRedirect
from gateway.settings import Settings

__all__ = ["page_headers", "redirect", "render_page", "sign_in_redirect_handler"]


def page_headers(
    settings: Settings, *, frameable: bool = False, restrict_form_action: bool = True
) -> dict[str, str]:
    """Security headers for an HTML page.

    ``frameable``: pages that Bonzo may show in a frame (the origins in
    ``LEADGATE_FRAME_ANCESTORS``); sign-in pages never are. ``restrict_form_action``: off
    only for a form whose answer redirects to a tenant's provider (browsers apply
    ``form-action`` to the redirect, and the provider is not known in advance).
    """
    ancestors = " ".join(("'self'", *settings.http.frame_ancestors)) if frameable else "'none'"
    policy = [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        f"frame-ancestors {ancestors}",
    ]
    if restrict_form_action:
        policy.append("form-action 'self'")
    headers = {"content-security-policy": "; ".join(policy), "cache-control": "no-store"}
    if not frameable:
        headers["x-frame-options"] = "DENY"
    return headers


def render_page(
    settings: Settings,
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    cookies: Iterable[Cookie] = (),
    frameable: bool = False,
    restrict_form_action: bool = True,
) -> Template:
    return Template(
        template_name=template,
        context=dict(context),
        status_code=status,
        headers=page_headers(
            settings, frameable=frameable, restrict_form_action=restrict_form_action
        ),
        cookies=list(cookies),
        media_type="text/html",
    )


def redirect(location: str, *, cookies: Iterable[Cookie] = ()) -> Redirect:
    """A 303 (the browser follows with a GET), never cached."""
    return Redirect(
        path=location, status_code=303, cookies=list(cookies), headers={"cache-control": "no-store"}
    )


def sign_in_redirect_handler(_: Request[Any, Any, Any], exc: SignInRedirect) -> Response[Any]:
    """Exception handler (register on the app) turning a page guard's ``SignInRedirect``
    into a 303."""
    return redirect(exc.location)
