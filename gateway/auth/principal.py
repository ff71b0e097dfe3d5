"""The caller of a request, resolved from a trusted credential only.

A principal is a machine holding an API key (``Authorization: Bearer lg_…``), a signed-in
person (a server-side session, see ``gateway.auth.sessions``), or the holder of a resource
link (``?link=<token>``, read-only, one page). The tenant always comes from the
credential, never from anything in the URL or body.

Route guards: ``require_scope`` (API endpoints: a key with the scope, or a person whose
role grants it), ``require_role`` (people only), ``require_page_access`` (server-rendered
GET pages: a person, or a link to exactly that page). Dependencies: ``current_user``,
``current_tenant`` (registered app-wide, see ``AUTH_DEPENDENCIES``).

A person's role and active status are read from the tenant's database on every request,
so a deactivation or a role change takes effect at once. Unsafe requests made with a
session must carry its CSRF token (see ``gateway.auth.browser``).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler

from gateway.auth.browser import SAFE_METHODS, forget_request_session, request_session, verify_csrf
from gateway.auth.services import auth_services
from gateway.core.logging import tenant_id_var
from gateway.core.problems import Problem
from pipeline.core.structs import Frozen
from tenant_auth.apikeys.service import verify_api_key
from tenant_auth.core.errors import (
    ApiKeyRejected,
    ApiKeyScopeDenied,
    LinkRejected,
    LinkRejection,
    TenantNotFound,
    UserNotFound,
)
from tenant_auth.links.schemas import LINK_TOKEN_PARAM
from tenant_auth.links.service import verify_link
from tenant_auth.links.token import verify_token
from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import Tenant
from tenant_auth.registry.service import get_tenant
from tenant_auth.users.schemas import Role, User
from tenant_auth.users.service import get_user

__all__ = [
    "AUTH_DEPENDENCIES",
    "ROLE_SCOPES",
    "Principal",
    "SignInRedirect",
    "api_key_principal",
    "current_tenant",
    "current_user",
    "principal_of",
    "require_page_access",
    "require_role",
    "require_scope",
    "session_principal",
]

PrincipalKind = Literal["api_key", "user", "link"]

_ALL_SCOPES = frozenset({"read", "ingest", "admin"})
ROLE_SCOPES: Mapping[Role, frozenset[str]] = {
    Role.VIEWER: frozenset({"read"}),
    Role.MANAGER: frozenset({"read", "ingest"}),
    Role.ADMIN: _ALL_SCOPES,
    Role.OWNER: _ALL_SCOPES,
}
"""What each role may do, in API key scopes."""

_PRINCIPAL = "principal"
_USER = "user"
_TENANT = "tenant"


class Principal(Frozen):
    kind: PrincipalKind
    tenant_id: UUID
    tenant_slug: str
    subject: str
    """The key id, user id or link id."""
    scopes: frozenset[str] = frozenset()
    """API key scopes (``ingest``, ``read``, ``admin``); for a person, those of their role;
    for a link, ``read``."""
    role: str | None = None
    """A person's role (``owner``, ``admin``, ``manager``, ``viewer``)."""
    page: str | None = None
    """For a link: the one page it may read."""

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.subject}"


class SignInRedirect(Exception):
    """Raised by page guards: answer with a redirect to ``location`` (a local sign-in
    path). Turned into a 303 by ``sign_in_redirect_handler``."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def _state(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    return state


def _remember(
    connection: ASGIConnection[Any, Any, Any, Any],
    principal: Principal,
    *,
    user: User | None = None,
    tenant: Tenant | None = None,
) -> Principal:
    """Make ``principal`` the request's caller; ``user`` and ``tenant`` are cached with it
    (and anything cached for an earlier candidate is dropped)."""
    tenant_id_var.set(str(principal.tenant_id))
    state = _state(connection)
    state[_PRINCIPAL] = principal
    for key, value in ((_USER, user), (_TENANT, tenant)):
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    return principal


def _registry(connection: ASGIConnection[Any, Any, Any, Any]) -> Registry:
    registry: Registry = connection.app.state.resources.registry
    return registry


def _bearer(request: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def api_key_principal(
    request: ASGIConnection[Any, Any, Any, Any], *, scope: str
) -> Principal:
    """Verify the request's Bearer key for ``scope``. 401 without saying which part was
    wrong; 403 when the key is good but lacks the scope."""
    presented = _bearer(request)
    if presented is None:
        raise Problem(
            401,
            "unauthorized",
            "An API key is required (Authorization: Bearer ...).",
            headers={"www-authenticate": 'Bearer realm="leadgate"'},
        )
    try:
        verified = await verify_api_key(_registry(request), presented, scope=scope)  # type: ignore[arg-type]
    except ApiKeyScopeDenied:
        raise Problem(
            403, "forbidden", f"This API key does not have the '{scope}' scope."
        ) from None
    except ApiKeyRejected:
        raise Problem(
            401,
            "unauthorized",
            "The API key is not valid.",
            headers={"www-authenticate": 'Bearer realm="leadgate", error="invalid_token"'},
        ) from None
    return _remember(
        request,
        Principal(
            kind="api_key",
            tenant_id=verified.tenant_id,
            tenant_slug=verified.tenant_slug,
            subject=verified.key_id,
            scopes=frozenset(verified.scopes),
        ),
    )


@dataclass(frozen=True)
class _SignedIn:
    principal: Principal
    user: User
    tenant: Tenant


async def _session_user(connection: ASGIConnection[Any, Any, Any, Any]) -> _SignedIn | None:
    """The session's person, re-checked against the tenant's database (tenant active,
    user active, current role). A session whose user or tenant is gone or deactivated is
    destroyed. Does not make them the request's principal."""
    session = await request_session(connection)
    if session is None or session.user is None:
        return None
    registry = _registry(connection)
    user: User | None = None
    try:
        tenant = await get_tenant(registry, session.user.tenant_slug)
        if tenant.is_active and tenant.tenant_id == session.user.tenant_id:
            user = await get_user(await registry.database(tenant), user_id=session.user.user_id)
    except (TenantNotFound, UserNotFound):
        user = None
    if user is None or not user.active:
        await auth_services(connection).sessions.destroy(session.id)
        forget_request_session(connection)
        return None
    principal = Principal(
        kind="user",
        tenant_id=tenant.tenant_id,
        tenant_slug=tenant.slug,
        subject=user.id,
        scopes=ROLE_SCOPES[user.role],
        role=user.role.value,
    )
    return _SignedIn(principal=principal, user=user, tenant=tenant)


async def session_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The signed-in person of this request's session, made the request's principal;
    ``None`` when nobody is signed in (see ``_session_user`` for the checks), or when the
    request is already answered for by a key or a link: credentials are never mixed."""
    known = _state(connection).get(_PRINCIPAL)
    if isinstance(known, Principal):
        return known if known.kind == "user" else None
    signed_in = await _session_user(connection)
    if signed_in is None:
        return None
    return _remember(connection, signed_in.principal, user=signed_in.user, tenant=signed_in.tenant)


async def _signed_in(
    connection: ASGIConnection[Any, Any, Any, Any], *, missing: Problem
) -> Principal:
    """The signed-in person, once the CSRF check passed for unsafe methods."""
    principal = await session_principal(connection)
    if principal is None:
        raise missing
    if connection.scope.get("method", "GET") not in SAFE_METHODS:
        await verify_csrf(connection)
    return principal


def require_scope(scope: str) -> Any:
    """A route guard: the request carries an API key with ``scope``, or a signed-in
    session whose role grants it (viewer: read; manager: read, ingest; admin and owner:
    all). A request with an ``Authorization`` header is judged by its key alone. The
    principal is then available as ``request.scope["state"]["principal"]``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if "authorization" in connection.headers:
            await api_key_principal(connection, scope=scope)
            return
        principal = await _signed_in(
            connection,
            missing=Problem(
                401,
                "unauthorized",
                "An API key (Authorization: Bearer ...) or a signed-in session is required.",
                headers={"www-authenticate": 'Bearer realm="leadgate"'},
            ),
        )
        if scope not in principal.scopes:
            raise Problem(403, "forbidden", f"Your role does not allow '{scope}'.")

    return guard


def require_role(*roles: Role | str) -> Any:
    """A route guard: a signed-in person whose role is one of ``roles`` (exactly these;
    list every role allowed). API keys never pass: they have scopes, not roles."""
    allowed = frozenset(Role(role) for role in roles)
    if not allowed:
        raise ValueError("require_role needs at least one role")

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await _signed_in(
            connection, missing=Problem(401, "unauthorized", "Sign in first.")
        )
        if principal.role is None or Role(principal.role) not in allowed:
            raise Problem(403, "forbidden", "Your role does not allow this.")

    return guard


def require_page_access(scope: str = "read") -> Any:
    """A guard for server-rendered GET pages: a signed-in person whose role grants
    ``scope``, or, for ``read``, a resource link to exactly this page (``?link=``).

    Without either, the browser is sent to sign in (``SignInRedirect``). A link of a
    tenant that has OIDC sends its holder to that tenant's sign-in, unless they are
    already signed in to it. A tampered, expired, revoked or misdirected link is a 403
    problem (and audited by ``tenant_auth``)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        token = connection.query_params.get(LINK_TOKEN_PARAM)
        here = connection.scope["path"]
        if token is not None:
            await _link_or_session(connection, token, page=here, scope=scope)
            return
        principal = await session_principal(connection)
        if principal is None:
            raise SignInRedirect("/login?" + urllib.parse.urlencode({"next": _here(connection)}))
        if scope not in principal.scopes:
            raise Problem(403, "forbidden", f"Your role does not allow '{scope}'.")

    return guard


async def _link_or_session(
    connection: ASGIConnection[Any, Any, Any, Any], token: str, *, page: str, scope: str
) -> None:
    if scope != "read" or connection.scope.get("method") not in SAFE_METHODS:
        raise Problem(403, "forbidden", "A link only grants reading its page.")
    registry = _registry(connection)
    signed_in = await _session_user(connection)
    try:
        grant = await verify_link(registry, token, page=page)
    except LinkRejected as exc:
        if exc.reason is not LinkRejection.SIGN_IN_REQUIRED:
            raise Problem(
                403,
                "link-rejected",
                "This link is not valid: it may have been changed, expired or been revoked.",
            ) from None
        # The token is authentic (verify_link checked it before deciding that), so its
        # tenant may choose where to sign in.
        claims = verify_token(registry.keyring, token)
        assert not isinstance(claims, LinkRejection)
        if signed_in is not None and signed_in.tenant.slug == claims.tenant_slug:
            _remember(connection, signed_in.principal, user=signed_in.user, tenant=signed_in.tenant)
            return
        target = f"/t/{claims.tenant_slug}/login?" + urllib.parse.urlencode({"next": page})
        raise SignInRedirect(target) from None
    if signed_in is not None and signed_in.tenant.tenant_id == grant.tenant_id:
        # A person of the link's tenant keeps their own (richer) identity.
        _remember(connection, signed_in.principal, user=signed_in.user, tenant=signed_in.tenant)
        return
    _remember(
        connection,
        Principal(
            kind="link",
            tenant_id=grant.tenant_id,
            tenant_slug=grant.tenant_slug,
            subject=grant.link_id,
            scopes=frozenset({"read"}),
            page=grant.page,
        ),
    )


def _here(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    query = connection.scope.get("query_string", b"").decode("latin-1")
    path: str = connection.scope["path"]
    return f"{path}?{query}" if query else path


def principal_of(request: Request[Any, Any, Any]) -> Principal:
    principal = request.scope.get("state", {}).get(_PRINCIPAL)
    if not isinstance(principal, Principal):
        raise Problem(401, "unauthorized", "Authentication required.")
    return principal


async def current_user(request: Request[Any, Any, Any]) -> User:
    """Dependency: the signed-in person (fresh from the tenant's database). 401 when the
    request is not made by a signed-in person (API keys and links have no user)."""
    if await session_principal(request) is None:
        raise Problem(401, "unauthorized", "Sign in first.")
    user = _state(request)[_USER]
    assert isinstance(user, User)
    return user


async def current_tenant(request: Request[Any, Any, Any]) -> Tenant:
    """Dependency: the tenant of whoever is calling (key, person or link), from the
    registry. Use after a guard has resolved the principal."""
    cached = _state(request).get(_TENANT)
    if isinstance(cached, Tenant):
        return cached
    principal = principal_of(request)
    try:
        tenant = await get_tenant(_registry(request), principal.tenant_slug)
    except TenantNotFound:
        raise Problem(401, "unauthorized", "Authentication required.") from None
    _state(request)[_TENANT] = tenant
    return tenant


AUTH_DEPENDENCIES: Mapping[str, Provide] = {
    "current_user": Provide(current_user),
    "current_tenant": Provide(current_tenant),
}
"""Register on the app so any handler can ask for ``current_user`` / ``current_tenant``."""
