"""The read API: leads, one lead in full, failed records, deliveries.

For API keys with the ``read`` scope (and signed-in users, through the same guard). Every
query runs in one transaction scoped to the caller's tenant; another tenant's ids are
answered exactly like ids that do not exist.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from gateway.auth.principal import principal_of, require_scope
from gateway.leads.dependencies import (
    BatchQuery,
    CursorQuery,
    LimitQuery,
    SinceQuery,
    SourceQuery,
    UntilQuery,
    parse_time,
    provide_tenant_connection,
)
from gateway.leads.openapi import domain_problem, problem_responses
from pipeline.core.db import Connection
from pipeline.leads import service
from pipeline.leads.schemas import (
    DeliveryFilter,
    DeliveryPage,
    DeliveryStatus,
    FailedRecordFilter,
    FailedRecordPage,
    LeadDetail,
    LeadFilter,
    LeadPage,
    LeadStatus,
)

__all__ = ["ReadController"]

_PAGE = "Newest first; follow `next_cursor` for the next page."


class ReadController(Controller):
    path = "/api"
    tags = ["leads"]  # noqa: RUF012 - Litestar reads these as class attributes
    guards = [require_scope("read")]  # noqa: RUF012
    dependencies = {"conn": Provide(provide_tenant_connection)}  # noqa: RUF012
    exception_handlers = {  # noqa: RUF012
        service.InvalidCursor: domain_problem(400, "invalid-cursor"),
        service.BatchNotFound: domain_problem(404, "batch-not-found"),
        service.LeadNotFound: domain_problem(404, "lead-not-found"),
    }

    @get(
        "/leads",
        summary="List leads",
        description=f"Leads of the caller's tenant, filtered. {_PAGE}",
        responses=problem_responses(400, 401, 403, 404),
    )
    async def list_leads(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        source: SourceQuery = None,
        status: Annotated[
            LeadStatus | None, QueryParameter(description="Only leads with this intake status.")
        ] = None,
        us_state: Annotated[
            str | None,
            QueryParameter(
                name="state",
                description="Only leads in this US state (two letters).",
                pattern=r"^[A-Za-z]{2}$",
            ),
        ] = None,
        batch_id: BatchQuery = None,
        since: SinceQuery = None,
        until: UntilQuery = None,
        cursor: CursorQuery = None,
        limit: LimitQuery = 50,
    ) -> LeadPage:
        return await service.list_leads(
            conn,
            tenant_id=_tenant(request),
            filters=LeadFilter(
                source=source,
                status=status,
                state=None if us_state is None else us_state.upper(),
                batch_id=batch_id,
                since=parse_time(since, name="since"),
                until=parse_time(until, name="until"),
            ),
            cursor=cursor,
            limit=limit,
        )

    @get(
        "/leads/{lead_id:uuid}",
        summary="Get one lead",
        description=(
            "The lead's raw row, normalized fields and warnings, its delivery with every "
            "attempt, and its Bonzo prospect journey."
        ),
        responses=problem_responses(400, 401, 403, 404),
    )
    async def get_lead(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        lead_id: FromPath[UUID],
    ) -> LeadDetail:
        return await service.get_lead_detail(conn, tenant_id=_tenant(request), lead_id=lead_id)

    @get(
        "/failed-records",
        summary="List failed records",
        description=f"Records that could not become leads, with every field error. {_PAGE}",
        responses=problem_responses(400, 401, 403, 404),
    )
    async def list_failed_records(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        source: SourceQuery = None,
        batch_id: BatchQuery = None,
        since: SinceQuery = None,
        until: UntilQuery = None,
        cursor: CursorQuery = None,
        limit: LimitQuery = 50,
    ) -> FailedRecordPage:
        return await service.list_failed_records(
            conn,
            tenant_id=_tenant(request),
            filters=FailedRecordFilter(
                source=source,
                batch_id=batch_id,
                since=parse_time(since, name="since"),
                until=parse_time(until, name="until"),
            ),
            cursor=cursor,
            limit=limit,
        )

    @get(
        "/deliveries",
        summary="List deliveries to Bonzo",
        description=(
            "One delivery per accepted lead, with its status and last error; "
            f"`status=failed` lists what needs attention. {_PAGE}"
        ),
        responses=problem_responses(400, 401, 403, 404),
    )
    async def list_deliveries(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        status: Annotated[
            DeliveryStatus | None, QueryParameter(description="Only deliveries in this status.")
        ] = None,
        source: SourceQuery = None,
        batch_id: BatchQuery = None,
        since: SinceQuery = None,
        until: UntilQuery = None,
        cursor: CursorQuery = None,
        limit: LimitQuery = 50,
    ) -> DeliveryPage:
        return await service.list_deliveries(
            conn,
            tenant_id=_tenant(request),
            filters=DeliveryFilter(
                status=status,
                source=source,
                batch_id=batch_id,
                since=parse_time(since, name="since"),
                until=parse_time(until, name="until"),
            ),
            cursor=cursor,
            limit=limit,
        )


def _tenant(request: Request[Any, Any, Any]) -> UUID:
    return principal_of(request).tenant_id
