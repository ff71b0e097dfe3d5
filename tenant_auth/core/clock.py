"""Timestamps as libSQL stores them.

Every timestamp column holds UTC text in one fixed-width format, so SQL can compare them
as strings (``expires_at < :now``) and a human reading the database sees real dates.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_db_time", "to_db_time", "utc_now"]

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db_time(value: datetime) -> str:
    """``2025-01-31T09:30:00.000000Z``. Naive datetimes are refused: their zone is a guess."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).strftime(_FORMAT)


def from_db_time(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
