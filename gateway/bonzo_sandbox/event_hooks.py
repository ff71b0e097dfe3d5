"""Sending Bonzo event hooks (``prospects.created`` and friends) off the request path.

Events are encoded when they happen (a snapshot of the prospect then) and queued; a few
workers post them through one shared ``httpx.AsyncClient`` with ``x-bonzo-code``. Like
Bonzo, the sandbox does not retry a failed delivery; it counts and logs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec

from gateway.bonzo_sandbox.clock import now_timestamp
from gateway.bonzo_sandbox.config import EventHookTarget
from gateway.core.logging import mask
from pipeline.core.structs import Frozen

__all__ = ["EventHookDelivery", "EventHookSender"]

log = logging.getLogger(__name__)

_WORKERS = 4
_QUEUE_LIMIT = 10_000
_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_encoder = msgspec.json.Encoder()


class EventHookDelivery(Frozen):
    event: str
    prospect_id: int
    sent_at: str
    status: int | None
    """The receiver's status, ``None`` when it could not be reached."""
    error: str | None = None


class _Queued(Frozen):
    event: str
    prospect_id: int
    body: bytes


class EventHookSender:
    """Queues event hooks for ``target``; ``None`` makes ``emit`` a no-op.

    ``emit`` may be called at any time; deliveries happen only inside ``running()``. When
    the receiver falls more than ``_QUEUE_LIMIT`` events behind, new events are dropped and
    counted rather than let memory grow without bound.
    """

    def __init__(self, target: EventHookTarget | None, *, recent_limit: int) -> None:
        self._target = target
        self._queue: asyncio.Queue[_Queued] = asyncio.Queue(maxsize=_QUEUE_LIMIT)
        self._recent: deque[EventHookDelivery] = deque(maxlen=recent_limit)
        self._counts: Counter[str] = Counter()
        self._overflowing = False
        self._failing = False

    @property
    def enabled(self) -> bool:
        return self._target is not None

    def emit(self, event: str, prospect: dict[str, Any], additional: dict[str, Any]) -> None:
        if self._target is None:
            return
        body = _encoder.encode({"event": event, "prospect": prospect, "additional": additional})
        try:
            self._queue.put_nowait(_Queued(event=event, prospect_id=prospect["id"], body=body))
        except asyncio.QueueFull:
            # Logged once per overflow, not per event: at benchmark rates that would be
            # thousands of lines a second. The count says how many.
            if not self._overflowing:
                log.warning("sandbox event hooks fall behind; dropping events until they catch up")
            self._overflowing = True
            self._counts["dropped"] += 1

    def stats(self) -> dict[str, Any]:
        """Counts (sent, failed, dropped, queued) and the latest deliveries, newest first."""
        return {
            "enabled": self.enabled,
            "sent": self._counts["sent"],
            "failed": self._counts["failed"],
            "dropped": self._counts["dropped"],
            "queued": self._queue.qsize(),
            "recent": list(self._recent)[::-1],
        }

    def clear(self) -> None:
        self._recent.clear()
        self._counts.clear()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Deliver queued events until exit; events still queued then are not sent."""
        if self._target is None:
            yield
            return
        async with httpx.AsyncClient(timeout=_TIMEOUT) as client:
            workers = [
                asyncio.create_task(self._work(client, self._target), name=f"sandbox-hooks-{n}")
                for n in range(_WORKERS)
            ]
            try:
                yield
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)

    async def _work(self, client: httpx.AsyncClient, target: EventHookTarget) -> None:
        headers = {"content-type": "application/json", "x-bonzo-code": target.code}
        while True:
            item = await self._queue.get()
            if self._overflowing and self._queue.qsize() < _QUEUE_LIMIT // 2:
                self._overflowing = False
                log.info(
                    "sandbox event hooks caught up", extra={"dropped": self._counts["dropped"]}
                )
            status: int | None = None
            error: str | None = None
            try:
                response = await client.post(target.url, content=item.body, headers=headers)
                status = response.status_code
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            finally:
                self._queue.task_done()
            ok = status is not None and 200 <= status < 300
            self._counts["sent" if ok else "failed"] += 1
            # Logged when deliveries start or stop failing, not for each event.
            if ok and self._failing:
                log.info("sandbox event hooks delivered again", extra={"url": mask(target.url)})
            elif not ok and not self._failing:
                log.warning(
                    "sandbox event hooks not delivered; see /_sandbox/event-hooks",
                    extra={"url": mask(target.url), "status": status, "error": error},
                )
            self._failing = not ok
            self._recent.append(
                EventHookDelivery(
                    event=item.event,
                    prospect_id=item.prospect_id,
                    sent_at=now_timestamp(),
                    status=status,
                    error=error,
                )
            )
