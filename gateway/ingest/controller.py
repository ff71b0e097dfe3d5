"""``POST /ingest/{source}`` and ``GET /ingest/batches/{batch_id}``.

The order of checks on a post is the order of cost: the source and media type (404,
415, 413 on a declared length), the caller (401/403, then the rate limit 429 for API
keys), the body as it streams (413 past the limit; a signed request is verified once it
has been read, before anything else is said about it), the body's form (400/422), then the
durable store and the 202. Nothing is stored unless every check passed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import URL
from litestar.params import FromPath

from gateway.auth.principal import api_key_principal
from gateway.core.logging import tenant_id_var
from gateway.core.problems import Problem
from gateway.core.resources import Resources
from gateway.ingest import repository
from gateway.ingest.auth import Caller, authenticate
from gateway.ingest.body import Received, receive_body
from gateway.ingest.committer import SmallBody
from gateway.ingest.media import parse_media_type, size_limit, too_large, unsupported
from gateway.ingest.openapi import IngestOperation
from gateway.ingest.ratelimit import RateLimited
from gateway.ingest.runtime import IngestRuntime
from gateway.ingest.schemas import BatchStatus, IngestAccepted
from gateway.ingest.service import IdempotencyKeyReused, StoredRequest, store_request
from gateway.ingest.validation import check_body
from gateway.leads.openapi import problem_responses
from pipeline.core.db import tenant_transaction
from pipeline.sources import SOURCE_NAMES
from pipeline.sources.mapping import GENERIC_SOURCE

__all__ = ["API_SOURCES", "IngestController"]

log = logging.getLogger(__name__)

API_SOURCES = tuple(name for name in SOURCE_NAMES if name != GENERIC_SOURCE)
"""Sources this endpoint takes: the generic source needs a mapping file, which only the
command line accepts."""

# Checking a JSON body reads all of it: past this size, do it off the event loop.
_CHECK_ON_LOOP_BYTES = 64 * 1024


async def _count_request(runtime: IngestRuntime, caller: Caller) -> None:
    try:
        await runtime.rate_limiter.acquire(caller.rate_key)
    except RateLimited as exc:
        raise Problem(
            429,
            "rate-limited",
            f"Too many requests for this credential; retry after {exc.retry_after_s} s.",
            headers={"retry-after": str(exc.retry_after_s)},
        ) from None


@functools.lru_cache(maxsize=256)
def _base_url(scheme: str, host: str, server: tuple[str, int] | None, root_path: str) -> str:
    """``request.base_url`` as litestar builds it, once per distinct origin: building URL
    objects per request was a twentieth of a small post's work. Bounded, since ``host``
    is the client's to choose."""
    scope: dict[str, Any] = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", host.encode("latin-1"))] if host else [],
    }
    return str(URL.from_scope(scope)).rstrip("/")  # type: ignore[arg-type]


def _status_url(request: Request[Any, Any, Any], resources: Resources, batch_id: UUID) -> str:
    public = resources.settings.http.public_url
    if public:
        base = public.rstrip("/")
    else:
        scope = request.scope
        server = scope.get("server")
        base = _base_url(
            scope["scheme"],
            request.headers.get("host", ""),
            None if server is None else (server[0], server[1]),
            scope.get("app_root_path") or scope.get("root_path", ""),
        )
    return f"{base}/ingest/batches/{batch_id}"


async def _store(
    runtime: IngestRuntime,
    caller: Caller,
    source: str,
    received: Received,
    *,
    group_commit_max_bytes: int,
) -> tuple[StoredRequest, bool]:
    """Check, then commit: small bodies through the group committer (which also hands
    them to the worker), big ones on a thread. Returns the stored request and whether the
    body was small."""
    spool = received.spool
    small = spool.size <= group_commit_max_bytes
    if spool.size <= _CHECK_ON_LOOP_BYTES:
        check_body(received, source)
    else:
        await asyncio.to_thread(check_body, received, source)
    try:
        if small:
            stored = await runtime.committer.store(
                SmallBody(
                    tenant_id=caller.tenant_id,
                    source=source,
                    data=spool.rewound().read(),
                    content_sha256=spool.sha256,
                    content_type=received.content_type,
                    filename=received.filename,
                    idempotency_key=caller.idempotency_key,
                )
            )
            return stored, True
        stored = await asyncio.to_thread(
            store_request,
            runtime.sync_pool,
            tenant_id=caller.tenant_id,
            source=source,
            body=spool.rewound(),
            content_sha256=spool.sha256,
            content_type=received.content_type,
            filename=received.filename,
            idempotency_key=caller.idempotency_key,
        )
    except IdempotencyKeyReused:
        raise Problem(
            422,
            "idempotency-key-reused",
            "This idempotency key was already used for a different request body.",
        ) from None
    return stored, False


class IngestController(Controller):
    path = "/ingest"
    tags = ["ingest"]  # noqa: RUF012 - Litestar reads a plain list

    @post(
        "/{source:str}",
        status_code=202,
        request_max_body_size=None,  # limits are per media type, enforced while streaming
        summary="Submit leads (JSON object or array, JSON lines, CSV, or a multipart file)",
        operation_class=IngestOperation,
        responses=problem_responses(400, 401, 403, 404, 413, 415, 422, 429),
    )
    async def submit(self, request: Request[Any, Any, Any], source: FromPath[str]) -> Response[Any]:
        name = source.strip().lower()
        if name not in API_SOURCES:
            raise Problem(
                404,
                "unknown-source",
                f"Unknown source {source!r}; sources accepted here: {', '.join(API_SOURCES)}.",
            )
        headers = request.headers
        media = parse_media_type(headers.get("content-type"))
        kind = None if media is None else media.kind
        if media is None or kind is None:
            raise unsupported(
                "Send application/json, application/x-ndjson, text/csv or multipart/form-data."
            )
        if headers.get("content-encoding", "identity").lower() != "identity":
            raise unsupported("Compressed request bodies are not accepted.")
        resources: Resources = request.app.state.resources
        runtime: IngestRuntime = request.app.state.ingest
        limit = size_limit(kind, resources.settings.ingest)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(media.essence, limit)

        caller = await authenticate(request, name)
        if caller.signature is None:
            await _count_request(runtime, caller)
        received = await receive_body(
            request.stream(),
            media,
            kind,
            limit=limit,
            on_raw=None if caller.signature is None else caller.signature.update,
        )
        try:
            if caller.signature is not None:
                caller.signature.verify()
                await _count_request(runtime, caller)
            stored, small = await _store(
                runtime,
                caller,
                name,
                received,
                group_commit_max_bytes=resources.settings.ingest.group_commit_max_bytes,
            )
        finally:
            received.spool.close()

        batch_id = stored.batch_id
        status_url = _status_url(request, resources, batch_id)
        answer_headers = {"location": status_url}
        if stored.replayed:
            answer_headers["idempotent-replayed"] = "true"
        if stored.created:
            if log.isEnabledFor(logging.INFO):  # the extra fields cost more than the check
                log.info(
                    "ingest stored",
                    extra={"batch_id": str(batch_id), "source": name, "bytes": received.spool.size},
                )
            if not small:
                # The committer hands small bodies over itself.
                runtime.handoff.add(caller.tenant_id, [batch_id])
        return Response(
            IngestAccepted(batch_id=batch_id, status_url=status_url),
            status_code=202,
            headers=answer_headers,
        )

    @get(
        "/batches/{batch_id:uuid}",
        cache=False,
        summary="Progress of an ingest batch",
        responses=problem_responses(400, 401, 403, 404),
    )
    async def batch(self, request: Request[Any, Any, Any], batch_id: FromPath[UUID]) -> BatchStatus:
        """Counts by status and error code, and delivery progress. Needs an API key with
        the ``ingest`` or ``read`` scope of the batch's tenant: another tenant's batch is
        404, exactly like a batch that does not exist."""
        try:
            principal = await api_key_principal(request, scope="ingest")
        except Problem as exc:
            if exc.status_code != 403:
                raise
            principal = await api_key_principal(request, scope="read")
        tenant_id_var.set(str(principal.tenant_id))
        resources: Resources = request.app.state.resources
        async with tenant_transaction(resources.pool, principal.tenant_id) as conn:
            status = await repository.batch_status(
                conn, tenant_id=principal.tenant_id, batch_id=batch_id
            )
        if status is None:
            raise Problem(404, "not-found", "No such batch.")
        return status
