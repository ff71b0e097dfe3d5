"""Keeping the sandbox's prospects and webhooks in a SQLite file, written behind requests.

Requests only mark prospects as changed; a flusher writes the changes about once a second
and once more at shutdown, in a worker thread, so the webhook hot path never waits on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import msgspec

from gateway.bonzo_sandbox import repository
from gateway.bonzo_sandbox.store import Prospect, ProspectStore, Webhook

__all__ = ["SandboxFile"]

log = logging.getLogger(__name__)

_FLUSH_EVERY = 1.0  # seconds: the most a crash can lose
_encoder = msgspec.json.Encoder()


class SandboxFile:
    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self) -> tuple[list[Prospect], list[Webhook]]:
        """What the file holds, creating it (and its tables) when missing."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            repository.create_schema(conn)
            return repository.load_prospects(conn), repository.load_webhooks(conn)

    @contextlib.asynccontextmanager
    async def flushing(
        self, store: ProspectStore, webhooks: Callable[[], list[Webhook]]
    ) -> AsyncIterator[None]:
        """Write changes periodically while inside, and a last time on the way out."""
        task = asyncio.create_task(self._flush_forever(store, webhooks), name="sandbox-store")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.flush(store, webhooks())

    async def flush(self, store: ProspectStore, webhooks: list[Webhook]) -> None:
        cleared, changed = store.take_changes()
        prospect_rows = [(p.id, _encoder.encode(p).decode()) for p in changed]
        webhook_rows = [(w.id, _encoder.encode(w).decode()) for w in webhooks]
        try:
            await asyncio.to_thread(self._write, cleared, prospect_rows, webhook_rows)
        except sqlite3.Error:
            store.requeue(cleared, changed)
            raise

    async def _flush_forever(
        self, store: ProspectStore, webhooks: Callable[[], list[Webhook]]
    ) -> None:
        while True:
            await asyncio.sleep(_FLUSH_EVERY)
            try:
                await self.flush(store, webhooks())
            except sqlite3.Error:
                log.exception("sandbox store file could not be written; will retry")

    def _write(
        self,
        cleared: bool,
        prospect_rows: list[tuple[int, str]],
        webhook_rows: list[tuple[str, str]],
    ) -> None:
        with self._connect() as conn:
            if cleared:
                repository.delete_prospects(conn)
            repository.save_prospects(conn, prospect_rows)
            repository.save_webhooks(conn, webhook_rows)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self._path)
        try:
            with conn:  # commits on success, rolls back on error
                yield conn
        finally:
            conn.close()
