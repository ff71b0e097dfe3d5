"""Bodies of the sign-in form and the resource-link admin API."""

from __future__ import annotations

from datetime import datetime

from pipeline.core.structs import Frozen

__all__ = ["IssuedLinkOut", "LinkCreate", "LinkOut", "LoginForm"]


class LoginForm(Frozen):
    """``POST /login``: the organization's sign-in name, or a work email."""

    csrf_token: str = ""
    next: str = "/"
    organization: str = ""
    email: str = ""


class LinkCreate(Frozen):
    """``POST /api/links``."""

    page: str
    """A path on this site, e.g. ``/dashboards/sla``."""
    expires_in_hours: int = 168
    """1 to 2160 (90 days)."""


class LinkOut(Frozen):
    id: str
    page: str
    status: str
    """``active``, ``expired`` or ``revoked``."""
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class IssuedLinkOut(Frozen):
    link: LinkOut
    url: str
    """The page's full URL with its token: a credential, shown once, to paste into Bonzo."""
