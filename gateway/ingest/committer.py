"""Group commit for small ingest bodies.

Every acknowledged body must be committed before its 202, and a commit per request is
what limits a single gateway process: each costs round trips and a WAL flush. Concurrent
small bodies are therefore stored together: a request hands its body to a
:class:`GroupCommitter` and waits; one task takes whatever is waiting and stores it in one
transaction per tenant (row-level security scopes a transaction to one tenant), with one
statement for the whole group, while the next group gathers. Under light load a group is
one request and nothing waits; under heavy load the groups grow and the commits stay few.
One group at a time measured better than two in flight (about 20 µs less gateway CPU and
15 µs less PostgreSQL CPU per request at 16 concurrent posts): bigger groups, and no
throughput lost, since the clients' concurrency is split between the two either way.

Bodies without an idempotency key need nothing from the database before their commit, so
their transaction is that one statement on an autocommit connection: one round trip, no
BEGIN or COMMIT of its own. Bodies with a key are stored in an ordinary transaction that
first looks their keys up.

The grouped statement keeps ``store_batch``'s meaning: one batch per distinct body per
source (the same bytes again are the same batch, ``created`` false), raw bytes as chunk 0,
and the idempotency key recorded in the same transaction as its batch. In the rare case
that another process records one of the group's keys first, the transaction is rolled
back and each keyed body goes through the one-request path instead, which settles the
race.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from gateway.ingest import repository
from gateway.ingest.service import IdempotencyKeyReused, StoredRequest
from pipeline.core.db import Connection, tenant_transaction

__all__ = ["GroupCommitter", "SmallBody"]

log = logging.getLogger(__name__)

MAX_GROUP = 256

Content = tuple[str, str]
"""``(source, content_sha256)``: what makes a batch."""


@dataclass(frozen=True, slots=True)
class SmallBody:
    """A checked body small enough to store as one chunk from memory."""

    tenant_id: UUID
    source: str
    data: bytes
    content_sha256: str
    content_type: str | None
    filename: str | None
    idempotency_key: str | None

    @property
    def content(self) -> Content:
        return (self.source, self.content_sha256)


class _KeyTaken(Exception):
    """Another process recorded one of the group's idempotency keys first."""


def _answer_for(
    record: repository.IdempotencyRecord, body: SmallBody
) -> StoredRequest | IdempotencyKeyReused:
    source, sha256, batch_id = record
    if (source, sha256) != body.content:
        return IdempotencyKeyReused()
    return StoredRequest(batch_id=batch_id, created=False, replayed=True)


def _distinct(bodies: list[SmallBody]) -> list[repository.SmallBodyRow]:
    """One row per content: the first body carrying it."""
    rows: dict[Content, repository.SmallBodyRow] = {}
    for body in bodies:
        if body.content not in rows:
            rows[body.content] = (
                body.source,
                body.filename,
                body.content_type,
                body.content_sha256,
                body.data,
            )
    return list(rows.values())


def _missing(bodies: list[SmallBody], created: Mapping[Content, UUID]) -> list[Content]:
    """Contents of ``bodies`` that were not inserted now: stored before."""
    return sorted({body.content for body in bodies} - created.keys())


def _stored(
    bodies: list[SmallBody],
    created: Mapping[Content, UUID],
    existing: Mapping[Content, UUID],
) -> list[StoredRequest]:
    """The answers for stored ``bodies``: the first body of a content inserted now
    created its batch; the others, and content stored before, name the batch."""
    answered: set[Content] = set()
    stored: list[StoredRequest] = []
    for body in bodies:
        content = body.content
        first = content in created and content not in answered
        answered.add(content)
        batch_id = created[content] if content in created else existing[content]
        stored.append(StoredRequest(batch_id=batch_id, created=first, replayed=False))
    return stored


def _key(body: SmallBody) -> str:
    assert body.idempotency_key is not None, "a keyed group holds keyed bodies only"
    return body.idempotency_key


async def _store_keyed(
    conn: Connection, tenant_id: UUID, bodies: list[SmallBody]
) -> list[StoredRequest | Exception]:
    """Store one tenant's bodies that carry an idempotency key, inside the caller's
    transaction."""
    first_with_key: dict[str, int] = {}
    for index, body in enumerate(bodies):
        first_with_key.setdefault(_key(body), index)
    key_records = await repository.find_idempotency_keys(
        conn, tenant_id=tenant_id, keys=list(first_with_key)
    )
    # A body whose key was seen before, or is already claimed by an earlier body of this
    # group, is answered from that key's record once the group is stored.
    to_store = [
        index
        for index, body in enumerate(bodies)
        if _key(body) not in key_records and first_with_key[_key(body)] == index
    ]
    outcomes: dict[int, StoredRequest] = {}
    if to_store:
        storing = [bodies[index] for index in to_store]
        created = await repository.insert_small_bodies(
            conn, tenant_id=tenant_id, bodies=_distinct(storing)
        )
        missing = _missing(storing, created)
        existing = (
            await repository.find_batches_by_content(conn, tenant_id=tenant_id, contents=missing)
            if missing
            else {}
        )
        new_keys: list[tuple[str, repository.IdempotencyRecord]] = []
        for index, stored in zip(to_store, _stored(storing, created, existing), strict=True):
            body = bodies[index]
            record = (body.source, body.content_sha256, stored.batch_id)
            new_keys.append((_key(body), record))
            key_records[_key(body)] = record
            outcomes[index] = stored
        if len(new_keys) != await repository.insert_idempotency_keys(
            conn, tenant_id=tenant_id, records=new_keys
        ):
            raise _KeyTaken
    return [
        outcomes[index] if index in outcomes else _answer_for(key_records[_key(body)], body)
        for index, body in enumerate(bodies)
    ]


Waiting = tuple[SmallBody, asyncio.Future[StoredRequest]]
"""A body and the future its request awaits."""


def _settle(waiting: asyncio.Future[StoredRequest], outcome: StoredRequest | Exception) -> None:
    if waiting.done():  # the request went away
        return
    if isinstance(outcome, Exception):
        waiting.set_exception(outcome)
    else:
        waiting.set_result(outcome)


class GroupCommitter:
    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        autocommit_pool: AsyncConnectionPool[Any],
        one_by_one: Callable[[SmallBody], Awaitable[StoredRequest]],
        committed: Callable[[UUID, list[UUID]], None],
    ) -> None:
        """``pool`` is the gateway's; ``autocommit_pool`` holds an autocommit connection
        (one is enough), on which one statement is a whole transaction. ``one_by_one``
        stores a single body on its own (the race fallback); ``committed`` is called after
        each commit with the tenant and the batches it created, once their requests have
        their answers; it must not block."""
        self._pool = pool
        self._autocommit_pool = autocommit_pool
        self._one_by_one = one_by_one
        self._committed = committed
        self._queue: asyncio.Queue[Waiting] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start committing, on the running loop (``store`` creates its futures there)."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._commit_forever())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self._queue.empty():
            _, waiting = self._queue.get_nowait()
            _settle(waiting, RuntimeError("the gateway is shutting down"))

    async def store(self, body: SmallBody) -> StoredRequest:
        """Commit ``body`` with whatever else is waiting; returns once it is durable.
        Raises ``IdempotencyKeyReused`` like ``store_request``."""
        waiting: asyncio.Future[StoredRequest] = self._loop.create_future()
        self._queue.put_nowait((body, waiting))
        return await waiting

    async def _commit_forever(self) -> None:
        """One group at a time: while a group commits, the next one gathers in the queue."""
        while True:
            group = [await self._queue.get()]
            while len(group) < MAX_GROUP and not self._queue.empty():
                group.append(self._queue.get_nowait())
            by_tenant: dict[tuple[UUID, bool], list[Waiting]] = defaultdict(list)
            for member in group:
                body = member[0]
                by_tenant[body.tenant_id, body.idempotency_key is not None].append(member)
            for (tenant_id, keyed), members in by_tenant.items():
                bodies = [body for body, _ in members]
                if keyed:
                    results = await self._commit_keyed(tenant_id, bodies)
                else:
                    results = await self._commit(tenant_id, bodies)
                for (_, waiting), result in zip(members, results, strict=True):
                    _settle(waiting, result)
                created = [
                    r.batch_id for r in results if isinstance(r, StoredRequest) and r.created
                ]
                if created:
                    self._committed(tenant_id, created)

    async def _commit(
        self, tenant_id: UUID, bodies: list[SmallBody]
    ) -> Sequence[StoredRequest | Exception]:
        try:
            async with self._autocommit_pool.connection() as conn:
                created = await repository.insert_small_bodies(
                    conn, tenant_id=tenant_id, bodies=_distinct(bodies)
                )
            missing = _missing(bodies, created)
            existing: dict[Content, UUID] = {}
            if missing:
                # Stored before (or by a concurrent transaction that has committed, or
                # the insert would have waited for it): safe to look up after our commit.
                async with tenant_transaction(self._pool, tenant_id) as conn:
                    existing = await repository.find_batches_by_content(
                        conn, tenant_id=tenant_id, contents=missing
                    )
            return _stored(bodies, created, existing)
        except Exception as exc:
            return [exc] * len(bodies)

    async def _commit_keyed(
        self, tenant_id: UUID, bodies: list[SmallBody]
    ) -> Sequence[StoredRequest | Exception]:
        try:
            async with tenant_transaction(self._pool, tenant_id) as conn:
                return await _store_keyed(conn, tenant_id, bodies)
        except _KeyTaken:
            log.info("idempotency key race; storing the group one by one")
            return [await self._store_alone(body) for body in bodies]
        except Exception as exc:
            return [exc] * len(bodies)

    async def _store_alone(self, body: SmallBody) -> StoredRequest | Exception:
        try:
            return await self._one_by_one(body)
        except Exception as exc:
            return exc
