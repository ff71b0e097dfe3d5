"""Post claimed leads to their tenant's Bonzo webhook and record every attempt.

One call handles a group of one tenant's deliveries in three steps: lease them (a short
transaction), post them concurrently within the tenant's limits (no transaction open),
then record every attempt and outcome in one transaction. A worker that dies between the
steps leaves leases that expire; the sweeper hands those deliveries out again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import msgspec
from psycopg_pool import AsyncConnectionPool

from pipeline.core.db import tenant_transaction
from pipeline.core.lead import Lead
from pipeline.delivery import repository
from pipeline.delivery.http import classify_error
from pipeline.delivery.limits import ConcurrencyLimits, RateLimiter
from pipeline.delivery.payload import build_payload
from pipeline.delivery.policy import (
    DEFAULT_POLICY,
    AttemptResult,
    Decision,
    RetryPolicy,
    circuit_open_seconds,
    decide,
    parse_retry_after,
)
from pipeline.delivery.schemas import PayloadMapping
from pipeline.tenants.schemas import SecretCipher

__all__ = ["Deliverer", "DeliveryReport", "replay"]

log = logging.getLogger(__name__)

EXCERPT_BYTES = 2048
_READ_LIMIT = 65536
_lead_decoder = msgspec.json.Decoder(Lead)
_json = msgspec.json.Encoder()
_errors_decoder = msgspec.json.Decoder(dict[str, Any])
_HEADERS = {"content-type": "application/json", "accept": "application/json"}


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    claimed: int
    delivered: int
    retrying: int
    failed: int
    deferred: int
    """Claimed but given back unposted (tenant rate limit)."""


@dataclass(frozen=True, slots=True)
class _Posted:
    delivery_id: UUID
    lead_id: UUID
    attempt_number: int
    trigger: str
    payload: dict[str, Any]
    result: AttemptResult
    latency_ms: int
    excerpt: str | None
    error_detail: str | None


class Deliverer:
    """Per-process delivery machinery: the shared HTTP client, limits and identity."""

    def __init__(
        self,
        *,
        pool: AsyncConnectionPool[Any],
        http: httpx.AsyncClient,
        cipher: SecretCipher,
        rate_limiter: RateLimiter | None,
        lease: timedelta = timedelta(seconds=90),
    ) -> None:
        self._pool = pool
        self._http = http
        self._cipher = cipher
        self._rate = rate_limiter
        self._concurrency = ConcurrencyLimits()
        self._lease = lease
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"

    async def deliver(self, tenant_id: UUID, delivery_ids: Sequence[UUID]) -> DeliveryReport:
        async with tenant_transaction(self._pool, tenant_id) as conn:
            claimed = await repository.claim_deliveries(
                conn,
                tenant_id=tenant_id,
                ids=delivery_ids,
                lease=self._lease,
                worker=self.worker_id,
            )
            if not claimed:
                return DeliveryReport(0, 0, 0, 0, 0)
            leads = await repository.claimed_leads(
                conn, tenant_id=tenant_id, ids=[c[0] for c in claimed]
            )
            endpoint = await repository.endpoint_for_delivery(conn, tenant_id=tenant_id)
        assert endpoint is not None  # the claim joins an active endpoint
        ciphertext, hint, schedule, mapping_data, max_concurrency, max_per_second, _ = endpoint
        policy = DEFAULT_POLICY if schedule is None else msgspec.convert(schedule, RetryPolicy)
        mapping = (
            PayloadMapping()
            if mapping_data is None
            else msgspec.convert(mapping_data, PayloadMapping)
        )
        url = self._cipher.decrypt(ciphertext)
        target = httpx.URL(url)  # parsed once per group, not once per post

        granted = len(claimed)
        if self._rate is not None:
            granted = await self._rate.acquire(tenant_id, len(claimed), max_per_second)
        to_post, deferred = claimed[:granted], claimed[granted:]
        semaphore = self._concurrency.for_tenant(tenant_id, max_concurrency)

        async def post_one(claim: repository.ClaimedDelivery) -> _Posted:
            delivery_id, lead_id = claim[0], claim[1]
            payload = build_payload(
                _lead_decoder.decode(leads[delivery_id]), lead_id=str(lead_id), mapping=mapping
            )
            async with semaphore:
                return await self._post(url, target, hint, claim=claim, payload=payload)

        posted = await asyncio.gather(*(post_one(c) for c in to_post))
        return await self._record(tenant_id, hint, policy, posted, [c[0] for c in deferred])

    async def _post(
        self,
        url: str,
        target: httpx.URL,
        hint: str,
        *,
        claim: repository.ClaimedDelivery,
        payload: dict[str, Any],
    ) -> _Posted:
        delivery_id, lead_id, attempt_count, trigger = claim
        body = _json.encode(payload)
        started = time.perf_counter()
        excerpt: str | None = None
        detail: str | None = None
        try:
            async with self._http.stream(
                "POST",
                target,
                content=body,
                headers=_HEADERS,
            ) as response:
                raw = bytearray()
                async for part in response.aiter_bytes():
                    raw.extend(part)
                    if len(raw) >= _READ_LIMIT:
                        break
            latency_ms = round((time.perf_counter() - started) * 1000)
            text = bytes(raw).decode("utf-8", errors="replace").replace("\x00", "")
            excerpt = _truncate_utf8(text, EXCERPT_BYTES)
            result = AttemptResult(
                status_code=response.status_code,
                retry_after_s=parse_retry_after(response.headers.get("retry-after")),
                field_errors=_field_errors(raw) if response.status_code == 422 else None,
            )
        except httpx.HTTPError as exc:
            latency_ms = round((time.perf_counter() - started) * 1000)
            error_class = classify_error(exc)
            # httpx messages rarely carry the URL, but the URL is the credential: make sure.
            detail = f"{type(exc).__name__}: {exc}".replace(url, hint)[:500]
            result = AttemptResult(status_code=None, error_class=error_class)
        return _Posted(
            delivery_id,
            lead_id,
            attempt_count + 1,
            trigger,
            payload,
            result,
            latency_ms,
            excerpt,
            detail,
        )

    async def _record(
        self,
        tenant_id: UUID,
        hint: str,
        policy: RetryPolicy,
        posted: Sequence[_Posted],
        deferred: Sequence[UUID],
    ) -> DeliveryReport:
        now = datetime.now(UTC)
        attempts: list[dict[str, Any]] = []
        outcomes: list[dict[str, Any]] = []
        endpoint_failures = 0
        endpoint_ok = False
        disable_reason: str | None = None
        tally = {"delivered": 0, "retry": 0, "failed": 0}
        for p in posted:
            decision: Decision = decide(p.result, attempts_made=p.attempt_number, policy=policy)
            next_at = (
                now + timedelta(seconds=decision.delay_s) if decision.delay_s is not None else None
            )
            status = {
                "delivered": "delivered",
                "retry": "pending",
                "failed": "failed",
                "dead": "dead",
                "endpoint_disabled": "pending",
            }[decision.verdict]
            attempts.append(
                {
                    "tenant_id": tenant_id,
                    "delivery_id": p.delivery_id,
                    "lead_id": p.lead_id,
                    "attempt_number": p.attempt_number,
                    "trigger": p.trigger,
                    "endpoint_hint": hint,
                    "request_payload": p.payload,
                    "status_code": p.result.status_code,
                    "latency_ms": p.latency_ms,
                    "response_excerpt": p.excerpt,
                    "error_class": p.result.error_class
                    or ("http" if (p.result.status_code or 0) >= 300 else None),
                    "error_detail": p.error_detail
                    or (decision.reason if decision.verdict != "delivered" else None),
                    "outcome": decision.verdict,
                    "next_attempt_at": next_at,
                }
            )
            outcomes.append(
                {
                    "tenant_id": tenant_id,
                    "delivery_id": p.delivery_id,
                    "worker": self.worker_id,
                    "status": status,
                    # A disabled endpoint pauses the delivery; that attempt does not use up
                    # the lead's retries.
                    "counted": 0 if decision.verdict == "endpoint_disabled" else 1,
                    "next_attempt_at": next_at,
                    "status_code": p.result.status_code,
                    "error_class": p.result.error_class,
                    "reason": decision.reason,
                    "field_errors": p.result.field_errors,
                }
            )
            tally[
                "delivered"
                if decision.verdict == "delivered"
                else "retry"
                if status == "pending"
                else "failed"
            ] += 1
            if decision.verdict == "delivered":
                endpoint_ok = True
            elif decision.counts_as_endpoint_failure:
                endpoint_failures += 1
            elif decision.verdict == "endpoint_disabled":
                disable_reason = decision.reason

        async with tenant_transaction(self._pool, tenant_id) as conn:
            if attempts:
                await repository.insert_attempts(conn, attempts)
                await repository.record_outcomes(conn, outcomes)
            if deferred:
                await repository.release_claims(
                    conn,
                    tenant_id=tenant_id,
                    ids=deferred,
                    worker=self.worker_id,
                    next_attempt_at=now + timedelta(seconds=1),
                )
            # Any accepted lead shows the endpoint alive: only a group in which every post
            # failed counts toward opening the circuit.
            if endpoint_ok:
                await repository.endpoint_succeeded(conn, tenant_id=tenant_id)
            elif endpoint_failures:
                failures = await repository.endpoint_failed(
                    conn, tenant_id=tenant_id, failures=endpoint_failures
                )
                seconds = circuit_open_seconds(failures, policy)
                if seconds is not None:
                    await repository.open_circuit(conn, tenant_id=tenant_id, seconds=seconds)
                    log.warning(
                        "circuit opened for tenant endpoint",
                        extra={"tenant_id": str(tenant_id), "seconds": seconds},
                    )
            if disable_reason is not None and await repository.disable_endpoint(
                conn, tenant_id=tenant_id, reason=disable_reason
            ):
                await repository.notify_tenant(
                    conn,
                    tenant_id=tenant_id,
                    kind="bonzo_endpoint_disabled",
                    message=disable_reason,
                )
                log.warning("bonzo endpoint disabled", extra={"tenant_id": str(tenant_id)})
        return DeliveryReport(
            len(posted) + len(deferred),
            tally["delivered"],
            tally["retry"],
            tally["failed"],
            len(deferred),
        )


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _field_errors(body: bytes | bytearray) -> dict[str, list[str]] | None:
    """Bonzo's Laravel-style ``{"errors": {"field": ["message", ...]}}``, if present."""
    try:
        decoded = _errors_decoder.decode(bytes(body))
    except msgspec.DecodeError:
        return None
    errors = decoded.get("errors")
    if not isinstance(errors, dict):
        return None
    return {
        str(k): [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in errors.items()
    }


class ReplayRefused(ValueError):
    """A replay of one lead cannot happen as asked; the message says why."""


async def replay(
    pool: AsyncConnectionPool[Any],
    *,
    tenant_id: UUID,
    lead_id: UUID | None = None,
    batch_id: UUID | None = None,
    source: str | None = None,
    since: datetime | None = None,
    force: bool = False,
    trigger: str = "replay",
) -> list[UUID]:
    """Queue failed and dead deliveries again (delivered ones too with ``force``), matching
    every filter given. Returns the delivery ids to enqueue after this commits.

    Asked for one lead that cannot be replayed, raises ``ReplayRefused`` saying why
    (delivered without ``force``, still pending, or never accepted for delivery).
    """
    statuses = ["failed", "dead", "delivered"] if force else ["failed", "dead"]
    async with tenant_transaction(pool, tenant_id) as conn:
        if lead_id is not None:
            status = await repository.delivery_status_for_lead(
                conn, tenant_id=tenant_id, lead_id=lead_id
            )
            if status is None:
                raise ReplayRefused(
                    f"lead {lead_id} has no delivery (not found, a duplicate, or held)"
                )
            if status == "delivered" and not force:
                raise ReplayRefused(
                    f"lead {lead_id} was already delivered; use --force to send it again"
                )
            if status == "pending":
                raise ReplayRefused(f"lead {lead_id} is already waiting for delivery")
        return await repository.replay_deliveries(
            conn,
            tenant_id=tenant_id,
            statuses=statuses,
            trigger=trigger,
            lead_id=lead_id,
            batch_id=batch_id,
            source=source,
            since=since,
        )
