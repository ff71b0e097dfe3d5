"""``GET /deliveries``: the tenant's deliveries to Bonzo, filtered by status (failed and
dead ones need attention), and ``POST /deliveries/replay``: send one lead, or every failed
and dead delivery, to Bonzo again (admins and owners only).

Replay goes through the delivery engine (``pipeline.leads.replay``, as the API's replay
endpoints do): it commits first, and the ids are queued after; if the queue is down, the
sweeper finds the re-armed deliveries anyway.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Sequence
from typing import Annotated, Any, Final, get_args
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from gateway.auth.pages import redirect
from gateway.auth.principal import ROLE_SCOPES, principal_of, require_page_access, require_role
from gateway.core.problems import Problem
from gateway.core.resources import Resources
from gateway.leads.dependencies import provide_tenant_connection
from gateway.pages.errors import PAGE_EXCEPTION_HANDLERS
from gateway.pages.frame import page_context, render
from pipeline.core.db import Connection
from pipeline.delivery.jobs import enqueue_deliveries
from pipeline.leads import replay, service
from pipeline.leads.schemas import DeliveryFilter, DeliveryStatus

__all__ = ["DeliveriesPage"]

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 50
STATUSES: Final = get_args(DeliveryStatus)
_REPLAYERS: Final = tuple(role for role, scopes in ROLE_SCOPES.items() if "admin" in scopes)
"""Who may replay: the roles holding the ``admin`` scope, as for the replay API."""


async def _queue(resources: Resources, tenant_id: UUID, ids: Sequence[UUID]) -> None:
    if not ids:
        return
    try:
        await enqueue_deliveries(resources.redis, tenant_id, ids)
    except Exception as exc:  # Redis trouble: the sweeper re-enqueues from PostgreSQL
        log.warning(
            "replayed deliveries not queued; the sweeper will pick them up",
            extra={"count": len(ids), "error": type(exc).__name__},
        )


def _lead_id(form: FormMultiDict) -> UUID | None:
    raw = form.get("lead_id")
    if raw is None or raw == "":
        return None
    try:
        return UUID(str(raw))
    except ValueError:
        raise Problem(400, "validation", "lead_id: expected a lead id") from None


class DeliveriesPage(Controller):
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS

    @get(
        "/deliveries",
        guards=[require_page_access("read")],
        dependencies={"conn": Provide(provide_tenant_connection)},
        cache=False,
    )
    async def deliveries(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        status: Annotated[DeliveryStatus | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(min_length=1, max_length=256)] = None,
        queued: Annotated[int | None, QueryParameter(ge=0)] = None,
        refused: Annotated[bool, QueryParameter()] = False,
    ) -> Template:
        page = await service.list_deliveries(
            conn,
            tenant_id=principal_of(request).tenant_id,
            filters=DeliveryFilter(status=status),
            cursor=cursor,
            limit=PAGE_SIZE,
        )
        context = await page_context(request, conn, title="Deliveries", section="deliveries")
        context.update(
            page=page,
            status=status,
            statuses=STATUSES,
            queued=queued,
            refused=refused,
            next_url=None
            if page.next_cursor is None
            else "?"
            + urllib.parse.urlencode(
                {"cursor": page.next_cursor, **({"status": status} if status else {})}
            ),
        )
        return render(request, "pages/deliveries.html", context)

    @post("/deliveries/replay", guards=[require_role(*_REPLAYERS)], status_code=303)
    async def replay(self, request: Request[Any, Any, Any]) -> Redirect:
        """With ``lead_id``: that lead's failed or dead delivery; without: every failed and
        dead delivery of the tenant. Answers with the deliveries page saying how many
        were queued (or that the lead's delivery could not be replayed)."""
        lead_id = _lead_id(await request.form())
        tenant_id = principal_of(request).tenant_id
        resources: Resources = request.app.state.resources
        if lead_id is None:
            ids = await replay.replay_deliveries(
                resources.pool,
                tenant_id=tenant_id,
                batch_id=None,
                source=None,
                since=None,
                force=False,
            )
        else:
            try:
                ids = await replay.replay_lead(
                    resources.pool, tenant_id=tenant_id, lead_id=lead_id, force=False
                )
            except replay.ReplayNotPossible:
                return redirect("/deliveries?refused=true")
        await _queue(resources, tenant_id, ids)
        return redirect(f"/deliveries?queued={len(ids)}")
