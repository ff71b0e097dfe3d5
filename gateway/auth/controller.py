"""Sign-in pages: choosing a tenant, the OIDC round trip, signing out, refusals, and the
signed-in landing page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody

from gateway.auth.browser import (
    cleared_session_cookie,
    request_session,
    require_csrf,
    session_cookie,
)
from gateway.auth.pages import redirect, render_page
from gateway.auth.principal import (
    Principal,
    current_user,
    principal_of,
    require_page_access,
    session_principal,
)
from gateway.auth.redirects import safe_next
from gateway.auth.schemas import LoginForm
from gateway.auth.services import AuthServices, auth_services
from gateway.auth.signin import (
    SignInFailed,
    SignInFailure,
    begin_sign_in,
    complete_sign_in,
    sign_out,
)
from gateway.auth.tenant_choice import tenants_for_email
from pipeline.core.db import tenant_transaction
from pipeline.tenants import repository as tenant_repository
from tenant_auth.core.errors import InvalidInput
from tenant_auth.registry.registry import Registry
from tenant_auth.users.service import normalize_email

__all__ = ["SignInController"]

# (HTTP status, heading, explanation) for each way a sign-in can end without a session.
_FAILURE_PAGES: dict[SignInFailure, tuple[int, str, str]] = {
    SignInFailure.UNKNOWN_TENANT: (
        404,
        "Organization not found",
        "There is no organization with that sign-in name. Check the name and try again.",
    ),
    SignInFailure.NOT_CONFIGURED: (
        409,
        "Sign-in is not set up yet",
        "{tenant} has not connected its sign-in provider yet. Ask your administrator.",
    ),
    SignInFailure.SUSPENDED: (
        403,
        "Organization suspended",
        "{tenant} is suspended, so nobody can sign in to it right now.",
    ),
    SignInFailure.STALE: (
        400,
        "Sign-in expired",
        "This sign-in took too long, was already used, or was started in another browser. "
        "Please start again.",
    ),
    SignInFailure.PROVIDER_DECLINED: (
        403,
        "Sign-in cancelled",
        "Your sign-in provider did not complete the sign-in to {tenant}.",
    ),
    SignInFailure.PROTOCOL: (
        400,
        "Sign-in could not be verified",
        "The answer from the sign-in provider of {tenant} did not pass our checks, so you "
        "were not signed in. Please try again; if it keeps happening, tell your administrator.",
    ),
    SignInFailure.PROVIDER_UNAVAILABLE: (
        502,
        "Sign-in provider unavailable",
        "The sign-in provider of {tenant} did not answer. Please try again in a moment.",
    ),
    SignInFailure.EMAIL_UNVERIFIED: (
        403,
        "Email address not verified",
        "Your sign-in provider did not confirm your email address, so we cannot match it "
        "to an invitation from {tenant}.",
    ),
    SignInFailure.NOT_INVITED: (
        403,
        "You have not been invited",
        "Your account has not been invited to {tenant}. Ask an administrator of {tenant} "
        "to invite the email address you sign in with.",
    ),
    SignInFailure.DEACTIVATED: (
        403,
        "Access turned off",
        "Your access to {tenant} has been turned off. Ask an administrator if this is a mistake.",
    ),
    SignInFailure.DOMAIN_NOT_ALLOWED: (
        403,
        "Email domain not allowed",
        "{tenant} only allows sign-in with its own email domains.",
    ),
    SignInFailure.IDENTITY_CONFLICT: (
        403,
        "Already linked to another account",
        "Your leadgate user at {tenant} is already linked to a different account at your "
        "sign-in provider. Sign in with that account, or ask an administrator.",
    ),
}


def _registry(request: Request[Any, Any, Any]) -> Registry:
    registry: Registry = request.app.state.resources.registry
    return registry


def _refusal(services: AuthServices, exc: SignInFailed) -> Response[Any]:
    status, heading, explanation = _FAILURE_PAGES[exc.failure]
    tenant = exc.tenant.slug if exc.tenant is not None else "this organization"
    return render_page(
        services.settings,
        "auth/refused.html",
        {
            "title": heading,
            "heading": heading,
            "explanation": explanation.format(tenant=tenant),
            "retry": f"/t/{exc.tenant.slug}/login" if exc.tenant is not None else "/login",
        },
        status=status,
    )


class SignInController(Controller):
    include_in_schema = False

    @get("/login", cache=False)
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        next_path: Annotated[str | None, QueryParameter(name="next")] = None,
    ) -> Response[Any]:
        """Choose the organization to sign in to, by name or by work email."""
        services = auth_services(request)
        destination = safe_next(next_path)
        if await session_principal(request) is not None:
            return redirect(destination)
        return await _login_form(request, services, next_path=destination)

    @post("/login", guards=[require_csrf], status_code=303)
    async def choose_tenant(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[LoginForm],
    ) -> Response[Any]:
        """Start the sign-in to the organization named, or the one that owns the email's
        domain; no email ever appears in our URLs."""
        services = auth_services(request)
        registry = _registry(request)
        destination = safe_next(data.next)
        slug = data.organization.strip().lower()
        login_hint: str | None = None
        if not slug and data.email.strip():
            try:
                login_hint = normalize_email(data.email)
            except InvalidInput:
                return await _login_form(
                    request, services, next_path=destination, error="That is not an email address."
                )
            matches = await tenants_for_email(registry, login_hint)
            if len(matches) != 1:
                error = (
                    "No organization signs in with that email domain. Enter your "
                    "organization's sign-in name instead."
                    if not matches
                    else "Several organizations use that email domain. Enter your "
                    "organization's sign-in name instead."
                )
                return await _login_form(request, services, next_path=destination, error=error)
            slug = matches[0].slug
        if not slug:
            return await _login_form(
                request,
                services,
                next_path=destination,
                error="Enter your organization's sign-in name or your work email.",
            )
        try:
            session, url = await begin_sign_in(
                services,
                registry,
                await request_session(request),
                slug=slug,
                next_path=destination,
                login_hint=login_hint,
            )
        except SignInFailed as exc:
            return _refusal(services, exc)
        return redirect(url, cookies=[session_cookie(services.settings, session)])

    @get("/t/{slug:str}/login", cache=False)
    async def tenant_login(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        next_path: Annotated[str | None, QueryParameter(name="next")] = None,
    ) -> Response[Any]:
        """Start signing in to the tenant ``slug`` at its own provider."""
        services = auth_services(request)
        try:
            session, url = await begin_sign_in(
                services,
                _registry(request),
                await request_session(request),
                slug=slug,
                next_path=safe_next(next_path),
            )
        except SignInFailed as exc:
            return _refusal(services, exc)
        return redirect(url, cookies=[session_cookie(services.settings, session)])

    @get("/auth/callback", cache=False)
    async def callback(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Where every tenant's provider sends the browser back."""
        services = auth_services(request)
        params = {key: value for key, value in request.query_params.items() if value}
        try:
            session, _, destination = await complete_sign_in(
                services, _registry(request), await request_session(request), params
            )
        except SignInFailed as exc:
            return _refusal(services, exc)
        return redirect(destination, cookies=[session_cookie(services.settings, session)])

    @post("/logout", guards=[require_csrf], status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """End the session now (it cannot be used again) and forget the cookie."""
        services = auth_services(request)
        session = await request_session(request)
        if session is not None:
            await sign_out(services, _registry(request), session)
        return redirect("/login", cookies=[cleared_session_cookie(services.settings)])

    @get("/", guards=[require_page_access("read")], cache=False)
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Who is signed in to which organization. Also readable through a link to ``/``."""
        services = auth_services(request)
        principal = principal_of(request)
        context: dict[str, Any] = {
            "title": "leadgate",
            "tenant_name": await _tenant_name(request, principal),
            "principal": principal,
            "user": None,
            "csrf": None,
        }
        if principal.kind == "user":
            session = await request_session(request)
            context["user"] = await current_user(request)
            context["csrf"] = None if session is None else session.csrf_token
        return render_page(services.settings, "home.html", context, frameable=True)


async def _login_form(
    request: Request[Any, Any, Any],
    services: AuthServices,
    *,
    next_path: str,
    error: str | None = None,
) -> Response[Any]:
    # The form needs a CSRF token, hence a session, before anyone has signed in.
    session = await request_session(request)
    cookies = []
    if session is None:
        session = await services.sessions.create()
        cookies.append(session_cookie(services.settings, session))
    return render_page(
        services.settings,
        "auth/login.html",
        {"title": "Sign in", "csrf": session.csrf_token, "next": next_path, "error": error},
        status=200 if error is None else 422,
        cookies=cookies,
        restrict_form_action=False,
    )


async def _tenant_name(request: Request[Any, Any, Any], principal: Principal) -> str:
    async with tenant_transaction(request.app.state.resources.pool, principal.tenant_id) as conn:
        tenant = await tenant_repository.get_tenant(conn, tenant_id=principal.tenant_id)
    return principal.tenant_slug if tenant is None else tenant.name
