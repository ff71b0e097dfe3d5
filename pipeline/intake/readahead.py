"""Run an iterator on a background thread, a few items ahead of its consumer.

Ingest parses and normalizes in Python while PostgreSQL loads the previous chunk; psycopg
releases the GIL while it waits for the server, so the two overlap and a load costs about
the larger of the two instead of their sum.

That holds only if the consumer gets the GIL back promptly after each wait. The producer is
CPU-bound, so a waking consumer waits for it to reach a switch point: up to the
interpreter's switch interval, 5 ms by default, per wait. Sending a chunk's COPY data waits
many times while the server drains the socket, so with the default a 200,000-row load spent
1.4 s in COPY instead of 0.75 s (bench/README.md). While a producer runs, the interval is
0.5 ms.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")

# How often a blocked producer looks whether the consumer has gone away.
_POLL_S = 0.1
_SWITCH_INTERVAL_S = 0.0005


class _SwitchInterval:
    """Shortens the interpreter's switch interval while at least one producer runs; the
    last one to stop puts the previous value back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = sys.getswitchinterval()

    def enter(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, _SWITCH_INTERVAL_S))
            self._users += 1

    def exit(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                sys.setswitchinterval(self._saved)


_switch_interval = _SwitchInterval()


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
    _switch_interval.enter()
    try:
        producer.start()
        try:
            yield producer.items()
        finally:
            producer.stop()
    finally:
        _switch_interval.exit()
