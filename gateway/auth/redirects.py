"""Where a sign-in may send the browser afterwards: local paths only."""

from __future__ import annotations

import urllib.parse

__all__ = ["MAX_NEXT_LENGTH", "safe_next"]

MAX_NEXT_LENGTH = 1024


def safe_next(raw: str | None, default: str = "/") -> str:
    """``raw`` if it is a path on this site, else ``default``.

    Refused: absolute and scheme-relative URLs (``//host``), backslashes (browsers read
    ``/\\host`` as ``//host``), and any whitespace or control character (browsers drop
    tabs and newlines, which would turn ``/\\t/host`` into ``//host``).
    """
    if not raw or len(raw) > MAX_NEXT_LENGTH or not raw.startswith("/"):
        return default
    if raw.startswith("//") or "\\" in raw:
        return default
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return default
    parts = urllib.parse.urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw
