"""Fair turn-taking between processes that write one SQLite file.

SQLite keeps no queue of writers: one that finds the file locked can only try again
later. A process with a backlog of writes takes the lock again microseconds after
releasing it, so another process that polls can starve for seconds. Two ``flock(2)``
files next to the database restore turn-taking (the classic two-lock queue):

1. take ``<db>-queue.lock``, 2. take ``<db>-writer.lock``, 3. release the queue lock,
4. write, 5. release the writer lock.

A process waiting at step 2 holds the queue lock, so the process that just wrote cannot
pass step 1 again before the waiter has had its turn. Both locks are polled without
blocking (short sleeps), so waiting ties up no thread and a cancelled wait just closes
its files; the kernel drops a dead process's locks. Only leadgate processes take turns
this way; anything else writing the file is still handled by retrying on SQLITE_BUSY.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from tenant_auth.core.errors import StorageError

__all__ = ["WriterTurn"]


class WriterTurn:
    def __init__(self, database_path: str, *, first_delay_s: float, max_delay_s: float) -> None:
        self._queue_path = f"{database_path}-queue.lock"
        self._writer_path = f"{database_path}-writer.lock"
        self._first_delay_s = first_delay_s
        self._max_delay_s = max_delay_s

    @asynccontextmanager
    async def hold(self, *, deadline: float, on_wait: Callable[[], None]) -> AsyncIterator[None]:
        """Hold the writer lock for the block. ``deadline`` is a ``time.monotonic()``
        value; past it, waiting raises ``StorageError`` with code ``SQLITE_BUSY``.
        ``on_wait`` is called before each sleep."""
        queue_fd = self._open(self._queue_path)
        try:
            await self._take(queue_fd, deadline, on_wait)
            writer_fd = self._open(self._writer_path)
            try:
                await self._take(writer_fd, deadline, on_wait)
            except BaseException:
                os.close(writer_fd)
                raise
        finally:
            os.close(queue_fd)
        try:
            yield
        finally:
            os.close(writer_fd)

    async def _take(self, fd: int, deadline: float, on_wait: Callable[[], None]) -> None:
        delay = self._first_delay_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StorageError(
                        "database is locked by another leadgate process", code="SQLITE_BUSY"
                    ) from None
            on_wait()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_delay_s)

    @staticmethod
    def _open(path: str) -> int:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot open lock file: {exc.strerror}", code="LOCK_FILE") from None
