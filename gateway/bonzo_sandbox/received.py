"""Every webhook post the sandbox received and what it answered, like Bonzo's Logs tab.

Counts are kept for every post; bodies only for the most recent ones. Tests and benchmarks
read the per-``external_id`` counts to find leads that were accepted more than once.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

from pipeline.core.structs import Frozen

__all__ = ["ReceivedLog", "ReceivedPost"]


class ReceivedPost(Frozen):
    webhook_id: str
    external_id: str | None
    received_at: str
    status: int | None
    """``None`` when the connection was reset instead of answered."""
    body: Any
    """The decoded JSON body, or the raw text when it was not JSON."""
    ignored_keys: list[str]
    """Keys Bonzo would not read (a nested payload shows up here)."""


class ReceivedLog:
    def __init__(self, *, recent_limit: int) -> None:
        self._recent: deque[ReceivedPost] = deque(maxlen=recent_limit)
        self._by_status: Counter[str] = Counter()
        self._posts: Counter[str] = Counter()
        self._accepted: Counter[str] = Counter()
        self._total = 0

    def record(self, post: ReceivedPost) -> None:
        self._total += 1
        self._by_status["reset" if post.status is None else str(post.status)] += 1
        if post.external_id is not None:
            self._posts[post.external_id] += 1
            if post.status is not None and 200 <= post.status < 300:
                self._accepted[post.external_id] += 1
        self._recent.append(post)

    def summary(self, *, recent: int) -> dict[str, Any]:
        """Totals, per-status and per-``external_id`` counts, and up to ``recent`` of the
        latest posts, newest first. ``duplicates`` lists external ids accepted (2xx) more
        than once."""
        latest = list(self._recent)[-recent:][::-1] if recent > 0 else []
        return {
            "total": self._total,
            "by_status": dict(self._by_status),
            "external_ids": {
                external_id: {"posts": posts, "accepted": self._accepted[external_id]}
                for external_id, posts in self._posts.items()
            },
            "duplicates": sorted(eid for eid, count in self._accepted.items() if count > 1),
            "recent": latest,
        }

    def clear(self) -> None:
        self._recent.clear()
        self._by_status.clear()
        self._posts.clear()
        self._accepted.clear()
        self._total = 0
