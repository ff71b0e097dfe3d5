"""``GET /batches/{id}``: one ingest batch: its counts, delivery progress, its leads, and
every failed record with its field errors (exportable as CSV through the read API).

While the batch is still being processed or its deliveries are pending, the page says so
and ``batch-progress.js`` refreshes it; without scripts, the refresh link does the same.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from gateway.auth.principal import principal_of, require_page_access
from gateway.ingest import repository as ingest_repository
from gateway.leads.dependencies import provide_tenant_connection
from gateway.pages.errors import PAGE_EXCEPTION_HANDLERS
from gateway.pages.frame import page_context, render
from pipeline.core.db import Connection
from pipeline.leads import service
from pipeline.leads.schemas import FailedRecordFilter, LeadFilter

__all__ = ["BatchPage"]

PAGE_SIZE: Final = 50
_Cursor = Annotated[str | None, QueryParameter(min_length=1, max_length=256)]


class BatchPage(Controller):
    include_in_schema = False
    guards = [require_page_access("read")]  # noqa: RUF012 - Litestar reads a plain list
    dependencies = {"conn": Provide(provide_tenant_connection)}  # noqa: RUF012
    exception_handlers = PAGE_EXCEPTION_HANDLERS

    @get("/batches/{batch_id:uuid}", cache=False)
    async def batch(
        self,
        request: Request[Any, Any, Any],
        conn: NamedDependency[Connection],
        batch_id: FromPath[UUID],
        failed_cursor: Annotated[_Cursor, QueryParameter(name="failed")] = None,
        leads_cursor: Annotated[_Cursor, QueryParameter(name="leads")] = None,
    ) -> Template:
        tenant_id = principal_of(request).tenant_id
        status = await ingest_repository.batch_status(conn, tenant_id=tenant_id, batch_id=batch_id)
        if status is None:
            raise service.BatchNotFound(f"batch {batch_id} not found")
        failed = await service.list_failed_records(
            conn,
            tenant_id=tenant_id,
            filters=FailedRecordFilter(batch_id=batch_id),
            cursor=failed_cursor,
            limit=PAGE_SIZE,
        )
        leads = await service.list_leads(
            conn,
            tenant_id=tenant_id,
            filters=LeadFilter(batch_id=batch_id),
            cursor=leads_cursor,
            limit=PAGE_SIZE,
        )
        context = await page_context(request, conn, title="Batch", section="batches")
        context.update(
            batch=status,
            in_progress=status.status == "received" or status.deliveries.pending > 0,
            failed=failed,
            leads=leads,
            failed_cursor=failed_cursor,
            leads_cursor=leads_cursor,
        )
        return render(request, "pages/batch.html", context, frameable=True, scripts=True)
