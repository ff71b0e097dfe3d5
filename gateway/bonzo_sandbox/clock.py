"""Timestamps as Bonzo (a Laravel application) writes them."""

from __future__ import annotations

import datetime as dt

__all__ = ["now_timestamp"]


def now_timestamp() -> str:
    """The current UTC time as ``2026-03-09T14:03:22.000000Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
