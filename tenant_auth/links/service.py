"""Creating, revoking and verifying resource links.

A link points at one page of one tenant (a dashboard, a prospect view). Signed-in users
of the tenant just open the page. Until the tenant has OIDC configured, the link also
carries a signed, expiring, revocable token that grants read-only access to that page
alone; once OIDC is configured, tokens are refused with ``SIGN_IN_REQUIRED`` and the
gateway sends the visitor to sign in.

Every refusal is audited: in the tenant's log when the token is authentic (so the tenant
is known), otherwise in the registry's ``security_event`` log, because a forged token's
claims must not choose a database.
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timedelta
from typing import NoReturn

from tenant_auth.audit.schemas import AuditAction, AuditOutcome
from tenant_auth.audit.service import audit_statement, record_event
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import (
    InvalidInput,
    LinkNotFound,
    LinkRejected,
    LinkRejection,
    TenantNotFound,
)
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.core.secretbox import Secret
from tenant_auth.links import repository
from tenant_auth.links.schemas import IssuedLink, LinkGrant, ResourceLink
from tenant_auth.links.token import LinkClaims, sign_link, verify_token
from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import Tenant
from tenant_auth.registry.service import get_tenant, record_security_event

__all__ = [
    "MAX_LINK_LIFETIME",
    "create_link",
    "list_links",
    "revoke_link",
    "validate_page",
    "verify_link",
]

MAX_LINK_LIFETIME = timedelta(days=90)

_PAGE = re.compile(r"^(/[A-Za-z0-9._~%-]+)+/?$|^/$")
_LINK_ID = re.compile(r"^[a-z2-7]{16}$")
_MAX_PAGE = 512


def validate_page(page: str) -> str:
    """An absolute path on this site: no scheme, host, query, fragment, ``.``/``..``."""
    segments = page.split("/")
    if len(page) > _MAX_PAGE or not _PAGE.match(page) or {".", ".."} & set(segments):
        raise InvalidInput(
            "page must be a path such as /dashboards/sla (letters, digits, . _ ~ % -; no "
            "query, fragment or dot segments)"
        )
    return page


async def create_link(
    registry: Registry, tenant: Tenant, *, page: str, expires_at: datetime, actor: str
) -> IssuedLink:
    """Record a link grant and sign its token. Audited.

    Raises ``InvalidInput`` for a bad page, or an expiry not in the next 90 days.
    """
    validate_page(page)
    now = utc_now()
    expires_at = expires_at.replace(microsecond=0)
    if not now < expires_at <= now + MAX_LINK_LIFETIME:
        raise InvalidInput("a link must expire in the future, within 90 days")
    link_id = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    db = await registry.database(tenant)
    await db.write(
        repository.insert_link(
            link_id=link_id, page=page, created_by=actor, expires_at=expires_at, now=now
        ),
        audit_statement(
            AuditAction.LINK_CREATED,
            actor=actor,
            target=f"link:{link_id}",
            detail={"page": page, "expires_at": expires_at.isoformat()},
            now=now,
        ),
    )
    link = await repository.get_link(db, link_id=link_id)
    if link is None:
        raise LinkNotFound(f"link {link_id} vanished right after creation")
    claims = LinkClaims(
        tenant_slug=tenant.slug, link_id=link_id, page=page, expires=int(expires_at.timestamp())
    )
    return IssuedLink(link=link, token=Secret(sign_link(registry.keyring, claims)))


async def list_links(db: LibsqlDatabase) -> list[ResourceLink]:
    return await repository.list_links(db)


async def revoke_link(
    registry: Registry, tenant: Tenant, *, link_id: str, actor: str
) -> ResourceLink:
    """Revoke (idempotent, audited once); the token stops working at once.

    Raises ``LinkNotFound``.
    """
    if not _LINK_ID.match(link_id):
        raise LinkNotFound(f"not a link id: {link_id!r}")
    db = await registry.database(tenant)
    now = utc_now()
    await db.write(
        repository.revoke_link(link_id=link_id, now=now),
        audit_statement(
            AuditAction.LINK_REVOKED,
            actor=actor,
            target=f"link:{link_id}",
            only_if_changed=True,
            now=now,
        ),
    )
    link = await repository.get_link(db, link_id=link_id)
    if link is None:
        raise LinkNotFound(f"tenant {tenant.slug!r} has no link {link_id}")
    return link


async def verify_link(
    registry: Registry, token: str, *, page: str, now: datetime | None = None
) -> LinkGrant:
    """Check a token from the ``link`` query parameter against the requested ``page``
    (the request path). The tenant comes from the authentic token, never from the request.

    Returns a read-only grant; raises ``LinkRejected`` (audited) otherwise.
    """
    now = now or utc_now()
    claims = verify_token(registry.keyring, token)
    if isinstance(claims, LinkRejection):
        await _security_event(registry, claims)
    try:
        tenant = await get_tenant(registry, claims.tenant_slug)
    except TenantNotFound:
        await _security_event(registry, LinkRejection.UNKNOWN_TENANT)
    if tenant.oidc is not None:
        raise LinkRejected(LinkRejection.SIGN_IN_REQUIRED)
    db = await registry.database(tenant)
    if not tenant.is_active:
        await _tenant_refusal(db, claims, LinkRejection.TENANT_INACTIVE, page)
    if claims.expires_at <= now:
        await _tenant_refusal(db, claims, LinkRejection.EXPIRED, page)
    if claims.page != page:
        await _tenant_refusal(db, claims, LinkRejection.WRONG_PAGE, page)
    link = await repository.get_link(db, link_id=claims.link_id)
    if link is None:
        await _tenant_refusal(db, claims, LinkRejection.UNKNOWN_LINK, page)
    if link.revoked_at is not None:
        await _tenant_refusal(db, claims, LinkRejection.REVOKED, page)
    if link.expires_at <= now:
        await _tenant_refusal(db, claims, LinkRejection.EXPIRED, page)
    if link.page != claims.page:
        await _tenant_refusal(db, claims, LinkRejection.WRONG_PAGE, page)
    return LinkGrant(
        tenant_slug=tenant.slug,
        tenant_id=tenant.tenant_id,
        link_id=link.id,
        page=link.page,
        expires_at=link.expires_at,
    )


async def _security_event(registry: Registry, reason: LinkRejection) -> NoReturn:
    await record_security_event(registry, AuditAction.LINK_REJECTED.value, reason=reason.value)
    raise LinkRejected(reason)


async def _tenant_refusal(
    db: LibsqlDatabase, claims: LinkClaims, reason: LinkRejection, requested_page: str
) -> NoReturn:
    await record_event(
        db,
        AuditAction.LINK_REJECTED,
        actor="anonymous",
        outcome=AuditOutcome.FAILURE,
        target=f"link:{claims.link_id}",
        detail={"reason": reason.value, "page": requested_page[:_MAX_PAGE]},
    )
    raise LinkRejected(reason)
