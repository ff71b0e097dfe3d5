"""Signing a person in to a tenant through the tenant's own OIDC provider, and out again.

``begin_sign_in`` records the authorization request (state, nonce, PKCE verifier) in the
browser's session and returns the provider URL to send the browser to.
``complete_sign_in`` takes the provider's answer at the callback: the ``state`` must name a
request this session started (each is usable once, for ten minutes), the code is redeemed
and the ID token verified, then ``tenant_auth`` decides whether this identity is an invited,
active user of the tenant. Success replaces the session with a new one (new id).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Mapping
from enum import StrEnum

import msgspec

from gateway.auth.oidc import OidcError, OidcFailure, new_code_verifier
from gateway.auth.services import AuthServices
from gateway.auth.sessions import PendingLogin, Session, SignedInUser
from tenant_auth.audit.schemas import AuditAction, AuditOutcome
from tenant_auth.audit.service import record_event
from tenant_auth.core.errors import InvalidInput, SignInRefusal, SignInRefused, TenantNotFound
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import OidcProvider, Tenant
from tenant_auth.registry.service import get_tenant, validate_slug
from tenant_auth.users.schemas import User
from tenant_auth.users.service import link_identity

__all__ = [
    "LOGIN_TIMEOUT_S",
    "SignInFailed",
    "SignInFailure",
    "begin_sign_in",
    "complete_sign_in",
    "sign_in_tenant",
    "sign_out",
]

LOGIN_TIMEOUT_S = 10 * 60
"""How long a started sign-in may take at the provider."""
_MAX_PENDING = 4
"""Sign-ins in flight per browser (several tabs); the oldest is dropped beyond this."""

log = logging.getLogger(__name__)


class SignInFailure(StrEnum):
    UNKNOWN_TENANT = "unknown_tenant"
    NOT_CONFIGURED = "not_configured"
    """The tenant has no OIDC provider yet."""
    SUSPENDED = "suspended"
    STALE = "stale"
    """No session, an unknown or already used ``state``, or a sign-in started too long ago."""
    PROVIDER_DECLINED = "provider_declined"
    """The provider answered the authorization request with an error (e.g. the person
    cancelled)."""
    PROTOCOL = "protocol"
    """The provider's answer failed a check (code, ID token); details are audited."""
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    EMAIL_UNVERIFIED = "email_unverified"
    NOT_INVITED = SignInRefusal.NOT_INVITED.value
    DEACTIVATED = SignInRefusal.DEACTIVATED.value
    DOMAIN_NOT_ALLOWED = SignInRefusal.DOMAIN_NOT_ALLOWED.value
    IDENTITY_CONFLICT = SignInRefusal.IDENTITY_CONFLICT.value


class SignInFailed(Exception):
    """Nobody was signed in. ``tenant`` is set when the tenant is known (for the page)."""

    def __init__(self, failure: SignInFailure, tenant: Tenant | None = None) -> None:
        super().__init__(f"sign-in failed: {failure}")
        self.failure = failure
        self.tenant = tenant


async def sign_in_tenant(registry: Registry, slug: str) -> tuple[Tenant, OidcProvider]:
    """The tenant named ``slug`` and its provider, if people can sign in to it. Raises
    ``SignInFailed`` (unknown, suspended, not configured)."""
    try:
        tenant = await get_tenant(registry, validate_slug(slug))
    except (InvalidInput, TenantNotFound):
        raise SignInFailed(SignInFailure.UNKNOWN_TENANT) from None
    if not tenant.is_active:
        raise SignInFailed(SignInFailure.SUSPENDED, tenant)
    if tenant.oidc is None:
        raise SignInFailed(SignInFailure.NOT_CONFIGURED, tenant)
    return tenant, tenant.oidc


async def begin_sign_in(
    services: AuthServices,
    registry: Registry,
    session: Session | None,
    *,
    slug: str,
    next_path: str,
    login_hint: str | None = None,
) -> tuple[Session, str]:
    """Remember a new authorization request in ``session`` (a new anonymous session when
    there is none) and return the session and the provider URL to redirect to.

    ``next_path`` must already be a safe local path. Raises ``SignInFailed``."""
    tenant, provider = await sign_in_tenant(registry, slug)
    try:
        metadata = await services.oidc.metadata(provider.issuer)
    except OidcError as exc:
        log.warning("OIDC discovery failed", extra={"tenant": tenant.slug, "reason": str(exc)})
        raise SignInFailed(_failure_of(exc), tenant) from None
    if session is None:
        session = await services.sessions.create()
    now = time.time()
    pending = PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=new_code_verifier(),
        tenant_slug=tenant.slug,
        issuer=provider.issuer,
        next_path=next_path,
        started_at=now,
    )
    recent = [p for p in session.data.pending_logins if now - p.started_at < LOGIN_TIMEOUT_S]
    session = _with_pending(session, (*recent[-(_MAX_PENDING - 1) :], pending))
    await services.sessions.save(session)
    url = services.oidc.authorization_url(
        metadata,
        client_id=provider.client_id,
        redirect_uri=services.redirect_uri,
        state=pending.state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
        login_hint=login_hint,
    )
    return session, url


async def complete_sign_in(
    services: AuthServices,
    registry: Registry,
    session: Session | None,
    params: Mapping[str, str],
) -> tuple[Session, User, str]:
    """Finish the sign-in the provider redirected back with (``params`` = the callback's
    query). Returns the new session (the old one is destroyed), the user, and where to
    go next. Raises ``SignInFailed``; every refusal after the tenant is known is audited
    in the tenant's log."""
    state = params.get("state", "")
    pending = None if session is None else _pending_for(session, state)
    if session is None or pending is None:
        log.warning("sign-in callback with no matching sign-in in this session")
        raise SignInFailed(SignInFailure.STALE)
    # Used once: a replayed callback finds nothing, whatever the provider would say.
    session = _with_pending(
        session, tuple(p for p in session.data.pending_logins if p is not pending)
    )
    await services.sessions.save(session)
    if time.time() - pending.started_at >= LOGIN_TIMEOUT_S:
        raise SignInFailed(SignInFailure.STALE)

    tenant, provider = await sign_in_tenant(registry, pending.tenant_slug)
    if provider.issuer != pending.issuer:
        # The tenant's provider changed while this person was away signing in.
        raise SignInFailed(SignInFailure.STALE, tenant)
    db = await registry.database(tenant)
    if "error" in params:
        await _audit_refusal(db, provider.issuer, SignInFailure.PROVIDER_DECLINED.value)
        raise SignInFailed(SignInFailure.PROVIDER_DECLINED, tenant)
    try:
        metadata = await services.oidc.metadata(provider.issuer)
        _check_authorization_response(
            params,
            provider.issuer,
            iss_promised=metadata.authorization_response_iss_parameter_supported,
        )
        id_token = await services.oidc.redeem_code(
            metadata,
            client_id=provider.client_id,
            client_secret=provider.client_secret.reveal(),
            code=params["code"],
            code_verifier=pending.code_verifier,
            redirect_uri=services.redirect_uri,
        )
        claims = await services.oidc.verify_id_token(
            metadata, id_token=id_token, client_id=provider.client_id, nonce=pending.nonce
        )
    except OidcError as exc:
        log.warning("sign-in refused", extra={"tenant": tenant.slug, "reason": str(exc)})
        await _audit_refusal(db, provider.issuer, exc.failure.value)
        raise SignInFailed(_failure_of(exc), tenant) from None

    # An address the provider says is unverified must not claim an invitation; an
    # identity linked earlier still signs in (link_identity matches it by issuer + sub).
    email = claims.email if claims.email and claims.email_verified is not False else ""
    try:
        user = await link_identity(
            db,
            issuer=provider.issuer,
            subject=claims.subject,
            email=email,
            allowed_domains=provider.allowed_domains,
        )
    except SignInRefused as exc:
        if not email and exc.reason is SignInRefusal.NOT_INVITED:
            raise SignInFailed(SignInFailure.EMAIL_UNVERIFIED, tenant) from None
        raise SignInFailed(SignInFailure(exc.reason.value), tenant) from None
    signed_in = await services.sessions.sign_in(
        session,
        SignedInUser(tenant_slug=tenant.slug, tenant_id=tenant.tenant_id, user_id=user.id),
    )
    log.info("signed in", extra={"tenant": tenant.slug, "user_id": user.id})
    return signed_in, user, pending.next_path


async def sign_out(services: AuthServices, registry: Registry, session: Session) -> None:
    """Destroy the session now; audited in the tenant's log when someone was signed in."""
    await services.sessions.destroy(session.id)
    user = session.user
    if user is None:
        return
    try:
        tenant = await get_tenant(registry, user.tenant_slug)
    except TenantNotFound:
        return
    await record_event(
        await registry.database(tenant), AuditAction.SIGN_OUT, actor=f"user:{user.user_id}"
    )


def _check_authorization_response(
    params: Mapping[str, str], issuer: str, *, iss_promised: bool
) -> None:
    # RFC 9207: the iss parameter, when the provider sends it (or promises to), must be
    # the issuer this sign-in was started with; a mix-up attack answers from another one.
    iss = params.get("iss")
    if (iss is None and iss_promised) or (iss is not None and iss != issuer):
        raise OidcError(OidcFailure.AUTHORIZATION_RESPONSE, "iss parameter is not the issuer")
    if not params.get("code"):
        raise OidcError(OidcFailure.AUTHORIZATION_RESPONSE, "no code")


def _pending_for(session: Session, state: str) -> PendingLogin | None:
    if not state:
        return None
    for pending in session.data.pending_logins:
        if hmac.compare_digest(pending.state.encode(), state.encode()):
            return pending
    return None


def _with_pending(session: Session, pending: tuple[PendingLogin, ...]) -> Session:
    data = msgspec.structs.replace(session.data, pending_logins=pending)
    return msgspec.structs.replace(session, data=data)


def _failure_of(exc: OidcError) -> SignInFailure:
    if exc.failure is OidcFailure.PROVIDER_UNAVAILABLE:
        return SignInFailure.PROVIDER_UNAVAILABLE
    return SignInFailure.PROTOCOL


async def _audit_refusal(db: LibsqlDatabase, issuer: str, reason: str) -> None:
    await record_event(
        db,
        AuditAction.SIGN_IN,
        actor="anonymous",
        outcome=AuditOutcome.FAILURE,
        detail={"issuer": issuer, "reason": reason},
    )
