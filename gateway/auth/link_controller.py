"""Resource links, for tenant admins: create one for a page, list them, revoke one.

The tenant is the caller's (an admin's session, or an API key with the ``admin`` scope),
so a link id of another tenant is simply not found. Session callers must send the
session's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from gateway.auth.principal import principal_of, require_scope
from gateway.auth.schemas import IssuedLinkOut, LinkCreate, LinkOut
from gateway.auth.services import auth_services
from gateway.core.problems import Problem
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import InvalidInput, LinkNotFound
from tenant_auth.links.schemas import ResourceLink
from tenant_auth.links.service import MAX_LINK_LIFETIME, create_link, list_links, revoke_link
from tenant_auth.registry.registry import Registry
from tenant_auth.registry.schemas import Tenant

__all__ = ["LinkController"]

_MAX_HOURS = int(MAX_LINK_LIFETIME.total_seconds() // 3600)


def _link_out(link: ResourceLink) -> LinkOut:
    return LinkOut(
        id=link.id,
        page=link.page,
        status=link.status(utc_now()),
        created_by=link.created_by,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
    )


def _registry(request: Request[Any, Any, Any]) -> Registry:
    registry: Registry = request.app.state.resources.registry
    return registry


class LinkController(Controller):
    path = "/api/links"
    guards = [require_scope("admin")]  # noqa: RUF012 - Litestar reads it as a class attribute
    tags = ["links"]  # noqa: RUF012
    response_headers = [ResponseHeader(name="cache-control", value="no-store")]  # noqa: RUF012

    @post("/", status_code=201)
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LinkCreate],
        current_tenant: NamedDependency[Tenant],
    ) -> IssuedLinkOut:
        """Create a read-only link to one page of the caller's tenant. The answer holds
        the token: it is shown once and is a credential."""
        if not 1 <= data.expires_in_hours <= _MAX_HOURS:
            raise Problem(422, "validation", f"expires_in_hours must be 1 to {_MAX_HOURS}.")
        try:
            issued = await create_link(
                _registry(request),
                current_tenant,
                page=data.page,
                expires_at=utc_now() + timedelta(hours=data.expires_in_hours),
                actor=principal_of(request).actor,
            )
        except InvalidInput as exc:
            raise Problem(422, "validation", str(exc)) from None
        base_url = auth_services(request).settings.http.base_url
        return IssuedLinkOut(link=_link_out(issued.link), url=base_url + issued.path)

    @get("/")
    async def list_all(
        self, request: Request[Any, Any, Any], current_tenant: NamedDependency[Tenant]
    ) -> list[LinkOut]:
        """Every link of the caller's tenant, oldest first (no tokens)."""
        db = await _registry(request).database(current_tenant)
        return [_link_out(link) for link in await list_links(db)]

    @post("/{link_id:str}/revoke", status_code=200)
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        link_id: FromPath[str],
        current_tenant: NamedDependency[Tenant],
    ) -> LinkOut:
        """Revoke one of the caller's tenant's links; its token stops working at once.
        Idempotent. 404 for an id the tenant does not have."""
        try:
            link = await revoke_link(
                _registry(request),
                current_tenant,
                link_id=link_id,
                actor=principal_of(request).actor,
            )
        except LinkNotFound:
            raise Problem(404, "not-found", "This tenant has no such link.") from None
        return _link_out(link)
