"""Group commit for small ingest bodies.

Every acknowledged body must be committed before its 202, and a commit per request is
what limits a single gateway process: each costs round trips and a WAL flush. Concurrent
small bodies are therefore stored together: a request hands its body to a
:class:`GroupCommitter` and waits; a few lanes each take whatever is waiting and store it
in one transaction per tenant (row-level security scopes a transaction to one tenant),
with one statement per table for the whole group. Under light load a group is one
request and nothing waits; under heavy load the groups grow and the commits stay few.

The grouped statements keep ``store_batch``'s meaning: one batch per distinct body per
source (the same bytes again are the same batch, ``created`` false), raw bytes as chunk 0,
and the idempotency key recorded in the same transaction as its batch. In the rare case
that another process records one of the group's keys first, the group is rolled back and
each body goes through the one-request path instead, which settles the race.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from gateway.ingest import repository
from gateway.ingest.service import IdempotencyKeyReused, StoredRequest
from pipeline.core.db import Connection, tenant_transaction

__all__ = ["GroupCommitter", "SmallBody"]

log = logging.getLogger(__name__)

LANES = 2
"""Groups in flight at once: one commits while the next gathers."""
MAX_GROUP = 256


def _new_future() -> asyncio.Future[StoredRequest]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class SmallBody:
    """A checked body small enough to store as one chunk from memory."""

    tenant_id: UUID
    source: str
    data: bytes
    content_sha256: str
    content_type: str | None
    filename: str | None
    idempotency_key: str | None
    result: asyncio.Future[StoredRequest] = field(default_factory=_new_future)


class _KeyTaken(Exception):
    """Another process recorded one of the group's idempotency keys first."""


Outcome = StoredRequest | IdempotencyKeyReused


def _answer_for(record: repository.IdempotencyRecord, body: SmallBody) -> Outcome:
    source, sha256, batch_id = record
    if (source, sha256) != (body.source, body.content_sha256):
        return IdempotencyKeyReused()
    return StoredRequest(batch_id=batch_id, created=False, replayed=True)


async def _store_group(conn: Connection, tenant_id: UUID, bodies: list[SmallBody]) -> list[Outcome]:
    """Store one tenant's group inside the caller's transaction."""
    outcomes: dict[int, Outcome] = {}
    first_with_key: dict[str, int] = {}
    for index, body in enumerate(bodies):
        if body.idempotency_key is not None:
            first_with_key.setdefault(body.idempotency_key, index)
    key_records = (
        await repository.find_idempotency_keys(conn, tenant_id=tenant_id, keys=list(first_with_key))
        if first_with_key
        else {}
    )
    # A body whose key was seen before, or is already claimed by an earlier body of this
    # group, is answered from that key's record once the group is stored.
    to_store = [
        index
        for index, body in enumerate(bodies)
        if body.idempotency_key is None
        or (
            body.idempotency_key not in key_records
            and first_with_key[body.idempotency_key] == index
        )
    ]
    if to_store:
        created = await repository.insert_small_batches(
            conn,
            tenant_id=tenant_id,
            rows=[
                (b.source, b.filename, b.content_type, b.content_sha256, len(b.data))
                for b in (bodies[i] for i in to_store)
            ],
        )
        wanted = {(bodies[i].source, bodies[i].content_sha256) for i in to_store}
        missing = sorted(wanted - created.keys())
        existing = (
            await repository.find_batches_by_content(conn, tenant_id=tenant_id, contents=missing)
            if missing
            else {}
        )
        chunks: list[tuple[UUID, bytes]] = []
        chunked: set[UUID] = set()
        new_keys: list[tuple[str, repository.IdempotencyRecord]] = []
        for index in to_store:
            body = bodies[index]
            content = (body.source, body.content_sha256)
            batch_id = created.get(content) or existing[content]
            first = content in created and batch_id not in chunked
            if first:
                chunked.add(batch_id)
                chunks.append((batch_id, body.data))
            outcomes[index] = StoredRequest(batch_id=batch_id, created=first, replayed=False)
            if body.idempotency_key is not None:
                record = (body.source, body.content_sha256, batch_id)
                new_keys.append((body.idempotency_key, record))
                key_records[body.idempotency_key] = record
        if chunks:
            await repository.insert_single_chunks(conn, tenant_id=tenant_id, chunks=chunks)
        if new_keys and len(new_keys) != await repository.insert_idempotency_keys(
            conn, tenant_id=tenant_id, records=new_keys
        ):
            raise _KeyTaken
    for index, body in enumerate(bodies):
        if index not in outcomes:
            assert body.idempotency_key is not None
            outcomes[index] = _answer_for(key_records[body.idempotency_key], body)
    return [outcomes[index] for index in range(len(bodies))]


def _settle(body: SmallBody, outcome: StoredRequest | Exception) -> None:
    if body.result.done():  # the request went away
        return
    if isinstance(outcome, Exception):
        body.result.set_exception(outcome)
    else:
        body.result.set_result(outcome)


class GroupCommitter:
    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        one_by_one: Callable[[SmallBody], Awaitable[StoredRequest]],
        committed: Callable[[UUID, list[UUID]], Awaitable[None]],
    ) -> None:
        """``one_by_one`` stores a single body on its own (the race fallback);
        ``committed`` is called after each commit with the tenant and the batches it
        created, once their requests have their answers."""
        self._pool = pool
        self._one_by_one = one_by_one
        self._committed = committed
        self._queue: asyncio.Queue[SmallBody] = asyncio.Queue()
        self._lanes: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._lanes = [asyncio.create_task(self._lane()) for _ in range(LANES)]

    async def close(self) -> None:
        for lane in self._lanes:
            lane.cancel()
        for lane in self._lanes:
            with contextlib.suppress(asyncio.CancelledError):
                await lane
        while not self._queue.empty():
            _settle(self._queue.get_nowait(), RuntimeError("the gateway is shutting down"))

    async def store(self, body: SmallBody) -> StoredRequest:
        """Commit ``body`` with whatever else is waiting; returns once it is durable.
        Raises ``IdempotencyKeyReused`` like ``store_request``."""
        self._queue.put_nowait(body)
        return await body.result

    async def _lane(self) -> None:
        while True:
            group = [await self._queue.get()]
            while len(group) < MAX_GROUP and not self._queue.empty():
                group.append(self._queue.get_nowait())
            by_tenant: dict[UUID, list[SmallBody]] = defaultdict(list)
            for body in group:
                by_tenant[body.tenant_id].append(body)
            for tenant_id, bodies in by_tenant.items():
                await self._commit(tenant_id, bodies)

    async def _commit(self, tenant_id: UUID, bodies: list[SmallBody]) -> None:
        results: list[StoredRequest | Exception]
        try:
            async with tenant_transaction(self._pool, tenant_id) as conn:
                results = list(await _store_group(conn, tenant_id, bodies))
        except _KeyTaken:
            log.info("idempotency key race; storing the group one by one")
            results = [await self._store_alone(body) for body in bodies]
        except Exception as exc:
            results = [exc] * len(bodies)
        for body, result in zip(bodies, results, strict=True):
            _settle(body, result)
        created = [r.batch_id for r in results if isinstance(r, StoredRequest) and r.created]
        if created:
            await self._committed(tenant_id, created)

    async def _store_alone(self, body: SmallBody) -> StoredRequest | Exception:
        try:
            return await self._one_by_one(body)
        except Exception as exc:
            return exc
