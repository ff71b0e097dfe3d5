"""Replay endpoints: send a lead, or the tenant's failed deliveries, to Bonzo again.

Admin only. The replay commits first and the ids are queued after; if the queue is down,
the sweeper finds the re-armed deliveries within seconds anyway, so the answer is the same.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any, Final
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter

from gateway.auth.principal import principal_of, require_scope
from gateway.core.problems import Problem
from gateway.core.resources import Resources
from gateway.leads.dependencies import as_utc
from gateway.leads.openapi import domain_problem, problem_responses
from gateway.leads.schemas import BulkReplayRequest, ReplayResult
from pipeline.delivery.jobs import enqueue_deliveries
from pipeline.leads import replay

__all__ = ["ReplayController"]

log = logging.getLogger(__name__)

_LISTED: Final = 1000
_bulk_replay = msgspec.json.Decoder(BulkReplayRequest)
_BODY_LIMIT: Final = 16 * 1024


class ReplayController(Controller):
    path = "/api"
    tags = ["replay"]  # noqa: RUF012 - Litestar reads these as class attributes
    guards = [require_scope("admin")]  # noqa: RUF012
    request_max_body_size = _BODY_LIMIT
    exception_handlers = {  # noqa: RUF012
        replay.LeadNotFound: domain_problem(404, "lead-not-found"),
        replay.BatchNotFound: domain_problem(404, "batch-not-found"),
        replay.ReplayNotPossible: domain_problem(409, "replay-not-possible"),
        # Litestar passes only msgspec's errors on as 400s; invalid UTF-8 inside a JSON
        # string surfaces as this instead.
        UnicodeDecodeError: domain_problem(400, "bad-request"),
    }

    @post(
        "/leads/{lead_id:uuid}/replay",
        status_code=202,
        summary="Replay one lead",
        description=(
            "Send a lead whose delivery failed (or, with `force=true`, was delivered) to "
            "Bonzo again."
        ),
        responses=problem_responses(400, 401, 403, 404, 409, 413),
    )
    async def replay_lead(
        self,
        request: Request[Any, Any, Any],
        lead_id: FromPath[UUID],
        force: Annotated[
            bool,
            QueryParameter(description="Send the lead again even though Bonzo accepted it."),
        ] = False,
    ) -> ReplayResult:
        tenant_id = principal_of(request).tenant_id
        resources = request.app.state.resources
        ids = await replay.replay_lead(
            resources.pool,
            tenant_id=tenant_id,
            lead_id=lead_id,
            force=force,
        )
        return await _queued(resources, tenant_id, ids)

    @post(
        "/deliveries/replay",
        status_code=202,
        summary="Replay failed deliveries",
        description=(
            "Send the tenant's failed and dead deliveries (with `force`, delivered ones too) "
            "to Bonzo again; every filter given narrows the set."
        ),
        responses=problem_responses(400, 401, 403, 404, 413),
    )
    async def replay_deliveries(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[
            BulkReplayRequest,
            # A misspelt filter must not widen a replay to every failed delivery.
            Body(media_type=RequestEncodingType.JSON, schema_extra={"additionalProperties": False}),
        ],
    ) -> ReplayResult:
        # ``data`` documents the body and has passed Litestar's lenient conversion (1 as
        # true, 0 as 1970-01-01); the same bytes decoded strictly make a wrong type a 400.
        try:
            body = _bulk_replay.decode(await request.body())
        except msgspec.ValidationError as exc:
            raise Problem(400, "validation", str(exc)) from None
        tenant_id = principal_of(request).tenant_id
        resources = request.app.state.resources
        ids = await replay.replay_deliveries(
            resources.pool,
            tenant_id=tenant_id,
            batch_id=body.batch_id,
            source=body.source,
            since=as_utc(body.since),
            force=body.force,
        )
        return await _queued(resources, tenant_id, ids)


async def _queued(resources: Resources, tenant_id: UUID, ids: Sequence[UUID]) -> ReplayResult:
    if ids:
        try:
            await enqueue_deliveries(resources.redis, tenant_id, ids)
        except Exception as exc:  # Redis trouble: the sweeper re-enqueues from PostgreSQL
            log.warning(
                "replayed deliveries not queued; the sweeper will pick them up",
                extra={"count": len(ids), "error": type(exc).__name__},
            )
    return ReplayResult(queued=len(ids), delivery_ids=list(ids[:_LISTED]))
