"""Run an iterator on a background thread, a few items ahead of its consumer.

Ingest parses and normalizes in Python while PostgreSQL loads the previous chunk; psycopg
releases the GIL while it waits for the server, so the two overlap and a load costs about
the larger of the two instead of their sum.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")

# How often a blocked producer looks whether the consumer has gone away.
_POLL_S = 0.1


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Done:
    pass


_DONE = _Done()


class _Producer(Generic[T]):
    def __init__(self, source: Iterator[T], depth: int) -> None:
        self._source = source
        self._queue: queue.Queue[T | _Failed | _Done] = queue.Queue(maxsize=depth)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="intake-read-ahead", daemon=True)

    def _put(self, item: T | _Failed | _Done) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=_POLL_S)
            except queue.Full:
                continue
            return True
        return False

    def _run(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, raised again there
            self._put(_Failed(exc))
        else:
            self._put(_DONE)

    def items(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


@contextmanager
def read_ahead(source: Iterator[T], *, depth: int) -> Iterator[Iterator[T]]:
    """Yield ``source``'s items, produced on a thread at most ``depth`` items ahead.

    An exception raised by ``source`` is raised by the consumer's iteration at the point
    where the item would have come. Leaving the block stops the thread: after the item it
    is producing, it produces no more (``source`` must not block forever). ``source`` runs
    concurrently with the consumer, so what they share must be thread-safe.
    """
    producer = _Producer(source, depth)
    producer.start()
    try:
        yield producer.items()
    finally:
        producer.stop()
