"""``GET /api/failed-records.csv``: the failed-record export, streamed as it is written.

``pipeline.intake.export.export_failed_csv`` is blocking (a server-side cursor on a psycopg
connection), so it runs on a thread of its own with its own connection, writing into a
bounded channel the response drains: memory stays at a few chunks however large the
export, and a client that goes away stops the export at its next chunk.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any, Final, TextIO, cast
from uuid import UUID

import psycopg
from litestar import Controller, Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Stream

from gateway.auth.principal import principal_of, require_scope
from gateway.core.resources import Resources
from gateway.leads.dependencies import BatchQuery
from gateway.leads.openapi import domain_problem, problem_responses
from pipeline.core.db import tenant_transaction
from pipeline.intake.export import export_failed_csv
from pipeline.leads.service import BatchNotFound, require_batch
from tenant_auth.audit.schemas import AuditAction
from tenant_auth.audit.service import record_event
from tenant_auth.registry.service import get_tenant

__all__ = ["ExportController"]

log = logging.getLogger(__name__)

_CHUNK_CHARS: Final = 64 * 1024
_CHUNKS_IN_FLIGHT: Final = 8
_END: Final = object()


class _ExportAbandoned(Exception):
    """The response stopped reading (the client went away)."""


class _Channel:
    """Chunks from the export thread to the event loop, at most ``capacity`` waiting."""

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._slots = threading.Semaphore(capacity)
        self._closed = threading.Event()

    def send(self, chunk: bytes) -> None:
        """From the export thread; blocks while the reader is behind. Raises
        ``_ExportAbandoned`` once the reader has closed the channel."""
        self._slots.acquire()
        if self._closed.is_set():
            raise _ExportAbandoned
        self._loop.call_soon_threadsafe(self._queue.put_nowait, chunk)

    def finish(self, error: BaseException | None) -> None:
        """From the export thread, last: the end of the data, or why it stopped."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is reading
            self._loop.call_soon_threadsafe(
                self._queue.put_nowait, _END if error is None else error
            )

    async def receive(self) -> bytes | None:
        """The next chunk, ``None`` at the end; re-raises the export's error."""
        item = await self._queue.get()
        if isinstance(item, bytes):
            self._slots.release()
            return item
        if item is _END:
            return None
        assert isinstance(item, BaseException)
        raise item

    def close(self) -> None:
        self._closed.set()
        self._slots.release()  # wake a send() blocked on a full channel


class _ChunkWriter(io.TextIOBase):
    """The text stream ``export_failed_csv`` writes to, cut into UTF-8 chunks."""

    def __init__(self, channel: _Channel) -> None:
        self._channel = channel
        self._parts: list[str] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= _CHUNK_CHARS:
            self.send_pending()
        return len(text)

    def send_pending(self) -> None:
        if self._parts:
            self._channel.send("".join(self._parts).encode())
            self._parts.clear()
            self._size = 0


def _export(conninfo: str, channel: _Channel, tenant_id: UUID, batch_id: UUID | None) -> None:
    error: BaseException | None = None
    try:
        with psycopg.connect(conninfo) as conn:
            writer = _ChunkWriter(channel)
            # csv.writer only calls write(); typing's TextIO is nominal, hence the cast.
            export_failed_csv(conn, cast(TextIO, writer), tenant_id=tenant_id, batch_id=batch_id)
            writer.send_pending()
    except _ExportAbandoned:
        log.info("failed-record export abandoned by the client")
    except Exception as exc:  # handed to the response, which ends the stream
        error = exc
    finally:
        channel.finish(error)


async def _csv_chunks(
    conninfo: str, tenant_id: UUID, batch_id: UUID | None
) -> AsyncIterator[bytes]:
    channel = _Channel(asyncio.get_running_loop(), _CHUNKS_IN_FLIGHT)
    thread = threading.Thread(
        target=_export,
        args=(conninfo, channel, tenant_id, batch_id),
        name="failed-export",
        daemon=True,
    )
    thread.start()
    try:
        while (chunk := await channel.receive()) is not None:
            yield chunk
    except Exception:
        log.exception("failed-record export stopped")
        raise
    finally:
        # Not joined: on a client disconnect this runs under cancellation; the thread
        # ends by itself at its next chunk.
        channel.close()


class ExportController(Controller):
    path = "/api"
    tags = ["leads"]  # noqa: RUF012 - Litestar reads these as class attributes
    guards = [require_scope("read")]  # noqa: RUF012
    exception_handlers = {BatchNotFound: domain_problem(404, "batch-not-found")}  # noqa: RUF012

    @get(
        "/failed-records.csv",
        summary="Export failed records as CSV",
        description=(
            "Every failed record (or one batch's) with its error codes and messages, then "
            "the vendor's own columns. Cells a spreadsheet would read as a formula are "
            "prefixed with an apostrophe. Streamed; the export is recorded in the audit log."
        ),
        media_type="text/csv",
        responses={
            200: ResponseSpec(
                data_container=str,
                media_type="text/csv",
                description="The CSV file.",
                generate_examples=False,
            ),
            **problem_responses(400, 401, 403, 404),
        },
    )
    async def export_failed_records(
        self, request: Request[Any, Any, Any], batch_id: BatchQuery = None
    ) -> Stream:
        principal = principal_of(request)
        resources: Resources = request.app.state.resources
        async with tenant_transaction(resources.pool, principal.tenant_id) as conn:
            await require_batch(conn, tenant_id=principal.tenant_id, batch_id=batch_id)
        # Failed records carry vendors' raw rows (names, phones): who took them is kept.
        tenant = await get_tenant(resources.registry, principal.tenant_slug)
        await record_event(
            await resources.registry.database(tenant),
            AuditAction.EXPORT,
            actor=principal.actor,
            target="failed_records" if batch_id is None else f"failed_records:batch:{batch_id}",
        )
        filename = "failed-records.csv" if batch_id is None else f"failed-records-{batch_id}.csv"
        return Stream(
            _csv_chunks(resources.settings.database.app_conninfo(), principal.tenant_id, batch_id),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )
