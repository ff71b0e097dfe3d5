"""The part of Bonzo's API v3 leadgate reads: prospects, users, campaigns (Bearer token)."""

from __future__ import annotations

import hmac
import math
from collections.abc import Sequence
from typing import Any, TypeVar

from litestar import Controller, Request, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.types import Guard

from gateway.bonzo_sandbox.resources import api_prospect
from gateway.bonzo_sandbox.service import BonzoSandbox

__all__ = ["ApiV3Controller", "require_bearer"]

T = TypeVar("T")

_CAMPAIGNS_PER_PAGE = 25  # fixed by Bonzo
_MAX_PER_PAGE = 100


def require_bearer(token: str | None) -> Guard:
    """A guard that lets a request through only with ``Authorization: Bearer <token>``;
    with no token configured, nothing gets through."""
    expected = f"Bearer {token}".encode() if token else None

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        given = connection.headers.get("authorization", "").encode()
        if expected is None or not hmac.compare_digest(given, expected):
            raise NotAuthorizedException()

    return guard


def _page(
    items: Sequence[T], *, page: int, per_page: int, request: Request[Any, Any, Any]
) -> tuple[Sequence[T], dict[str, Any], dict[str, Any]]:
    """One page of ``items`` with Laravel's ``links`` and ``meta``. Out-of-range pages are
    empty, as Laravel's are; a page below 1 is page 1."""
    page = max(page, 1)
    total = len(items)
    last_page = max(math.ceil(total / per_page), 1)
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    path = str(request.base_url).rstrip("/") + request.scope["path"]

    def link(number: int) -> str:
        return f"{path}?page={number}&per_page={per_page}"

    links = {
        "first": link(1),
        "last": link(last_page),
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last_page else None,
    }
    meta = {
        "current_page": page,
        "from": start + 1 if chunk else None,
        "to": start + len(chunk) if chunk else None,
        "last_page": last_page,
        "path": path,
        "per_page": per_page,
        "total": total,
    }
    return chunk, links, meta


class ApiV3Controller(Controller):
    path = "/api/v3"

    @get("/prospects", sync_to_thread=False)
    def list_prospects(
        self,
        request: Request[Any, Any, Any],
        sandbox: NamedDependency[BonzoSandbox],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 25,
        search: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        prospects = sandbox.store.search(search) if search else sandbox.store.all()
        per_page = min(max(per_page, 1), _MAX_PER_PAGE)
        chunk, links, meta = _page(prospects, page=page, per_page=per_page, request=request)
        return {
            "data": [
                api_prospect(p, users=sandbox.users, campaigns=sandbox.campaigns) for p in chunk
            ],
            "links": links,
            "meta": meta,
        }

    @get("/prospects/{prospect_id:int}", sync_to_thread=False)
    def get_prospect(
        self, prospect_id: FromPath[int], sandbox: NamedDependency[BonzoSandbox]
    ) -> dict[str, Any]:
        prospect = sandbox.store.get(prospect_id)
        if prospect is None:
            raise NotFoundException(f"No query results for prospect {prospect_id}.")
        return {"data": api_prospect(prospect, users=sandbox.users, campaigns=sandbox.campaigns)}

    @get("/users", sync_to_thread=False)
    def list_users(self, sandbox: NamedDependency[BonzoSandbox]) -> dict[str, Any]:
        return {"data": list(sandbox.users.values())}

    @get("/campaigns", sync_to_thread=False)
    def list_campaigns(
        self,
        request: Request[Any, Any, Any],
        sandbox: NamedDependency[BonzoSandbox],
        page: FromQuery[int] = 1,
    ) -> dict[str, Any]:
        campaigns = list(sandbox.campaigns.values())
        chunk, links, meta = _page(
            campaigns, page=page, per_page=_CAMPAIGNS_PER_PAGE, request=request
        )
        return {"data": list(chunk), "links": links, "meta": meta}
