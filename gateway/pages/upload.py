"""``GET /upload`` and ``POST /upload``: a person sends a vendor file from the browser.

The file is stored durably first (``store_batch``, the same intake path the ingest API's
large bodies take, as channel ``upload``), then handed to the worker; the browser goes
to the batch page, which shows processing and delivery progress. Uploading the same file
again leads to the batch it already made.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, BinaryIO, Final
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.response import Response, Template
from psycopg_pool import ConnectionPool

from gateway.auth.pages import redirect
from gateway.auth.principal import ROLE_SCOPES, principal_of, require_page_access, require_role
from gateway.core.resources import Resources
from gateway.ingest.controller import API_SOURCES
from gateway.ingest.runtime import IngestRuntime, queue_processing
from gateway.leads.dependencies import provide_tenant_connection
from gateway.pages.frame import page_context, render
from pipeline.core.db import Connection, tenant_transaction
from pipeline.intake.service import store_batch

__all__ = ["UPLOAD_MAX_BYTES", "UploadPage"]

log = logging.getLogger(__name__)

UPLOAD_MAX_BYTES: Final = 64 * 1024 * 1024
"""The whole form post. Litestar reads a multipart form into memory (the CSRF check needs
its token field before anything else), so browser uploads are capped lower than the
streaming API's 100 MiB; bigger files go through ``POST /ingest/{source}`` or
``leadgate ingest``."""

_UPLOADERS: Final = tuple(role for role, scopes in ROLE_SCOPES.items() if "ingest" in scopes)
"""Who may upload: the roles holding the ``ingest`` scope, as for the ingest API."""


def _store(
    pool: ConnectionPool[Any], *, tenant_id: UUID, source: str, upload: UploadFile
) -> tuple[UUID, bool]:
    stream: BinaryIO = upload.file  # type: ignore[assignment]  # a SpooledTemporaryFile
    stream.seek(0)
    with pool.connection() as conn:
        return store_batch(
            conn,
            tenant_id=tenant_id,
            source=source,
            stream=stream,
            channel="upload",
            filename=upload.filename or None,
            content_type=upload.content_type or None,
        )


def _size(upload: UploadFile) -> int:
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


class UploadPage(Controller):
    include_in_schema = False

    @get(
        "/upload",
        guards=[require_page_access("ingest")],
        dependencies={"conn": Provide(provide_tenant_connection)},
        cache=False,
    )
    async def form(
        self, request: Request[Any, Any, Any], conn: NamedDependency[Connection]
    ) -> Template:
        return await _form_page(request, conn)

    @post(
        "/upload",
        guards=[require_role(*_UPLOADERS)],
        request_max_body_size=UPLOAD_MAX_BYTES,
        status_code=303,
    )
    async def upload(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Store the file, queue its processing, and go to its batch page; a missing
        file or unknown source shows the form again with the reason (422)."""
        form = await request.form()
        source = str(form.get("source", "")).strip().lower()
        upload = form.get("file")
        error: str | None = None
        if source not in API_SOURCES:
            error = "Choose the vendor layout of the file."
        elif not isinstance(upload, UploadFile) or not upload.filename:
            error = "Choose a file to upload."
        elif await asyncio.to_thread(_size, upload) == 0:
            error = "That file is empty."
        if error is not None or not isinstance(upload, UploadFile):
            resources: Resources = request.app.state.resources
            principal = principal_of(request)
            async with tenant_transaction(resources.pool, principal.tenant_id) as conn:
                return await _form_page(request, conn, error=error, source=source, status=422)

        tenant_id = principal_of(request).tenant_id
        runtime: IngestRuntime = request.app.state.ingest
        batch_id, created = await asyncio.to_thread(
            _store, runtime.sync_pool, tenant_id=tenant_id, source=source, upload=upload
        )
        if created:
            # No filename in the log: vendors name files after people and places.
            log.info("upload stored", extra={"batch_id": str(batch_id), "source": source})
            await queue_processing(request.app.state.resources, tenant_id, [batch_id])
        return redirect(f"/batches/{batch_id}")


async def _form_page(
    request: Request[Any, Any, Any],
    conn: Connection,
    *,
    error: str | None = None,
    source: str = "",
    status: int = 200,
) -> Template:
    context = await page_context(request, conn, title="Upload a file", section="upload")
    context.update(
        sources=API_SOURCES,
        source=source,
        error=error,
        max_megabytes=UPLOAD_MAX_BYTES // (1024 * 1024),
    )
    return render(request, "pages/upload.html", context, status=status)
