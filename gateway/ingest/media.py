"""Which request bodies ``POST /ingest/{source}`` accepts, and how large each may be.

The declared media type decides how a body is checked before it is stored (JSON must be
UTF-8 and well formed; a CSV body must not be JSON), so the source adapter's own shape
detection and what the sender declared can never disagree.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath

from gateway.core.problems import Problem
from gateway.settings import IngestSettings

__all__ = ["BodyKind", "MediaType", "file_kind", "parse_media_type", "size_limit"]


class BodyKind(StrEnum):
    JSON = "json"
    """One JSON document: an object (one lead) or an array of objects."""
    JSON_LINES = "json-lines"
    """One JSON object per line; a bad line is a failed record, not a bad body."""
    CSV = "csv"
    """Delimited text with a header row (comma, semicolon, tab or pipe)."""
    MULTIPART = "multipart"
    """``multipart/form-data`` with the file in a part named ``file``."""


_KINDS: dict[str, BodyKind] = {
    "application/json": BodyKind.JSON,
    "application/jsonl": BodyKind.JSON_LINES,
    "application/jsonlines": BodyKind.JSON_LINES,
    "application/x-jsonlines": BodyKind.JSON_LINES,
    "application/x-ndjson": BodyKind.JSON_LINES,
    "text/csv": BodyKind.CSV,
    "application/csv": BodyKind.CSV,
    "text/tab-separated-values": BodyKind.CSV,
    "text/plain": BodyKind.CSV,
    "multipart/form-data": BodyKind.MULTIPART,
}
_EXTENSIONS: dict[str, BodyKind] = {
    ".json": BodyKind.JSON,
    ".jsonl": BodyKind.JSON_LINES,
    ".ndjson": BodyKind.JSON_LINES,
    ".csv": BodyKind.CSV,
    ".tsv": BodyKind.CSV,
    ".txt": BodyKind.CSV,
}
ACCEPTED = ", ".join(_KINDS)


class MediaType:
    """A parsed ``Content-Type``: lower-cased ``type/subtype`` and its parameters."""

    __slots__ = ("essence", "params")

    def __init__(self, essence: str, params: dict[str, str]) -> None:
        self.essence = essence
        self.params = params

    @property
    def kind(self) -> BodyKind | None:
        if self.essence.startswith("application/") and self.essence.endswith("+json"):
            return BodyKind.JSON
        return _KINDS.get(self.essence)

    @property
    def declares_utf8(self) -> bool:
        return self.params.get("charset", "").lower() in ("utf-8", "utf8")


def parse_media_type(header: str | None) -> MediaType | None:
    """``None`` for a missing or unparseable header."""
    if not header:
        return None
    essence, *parts = header.split(";")
    essence = essence.strip().lower()
    if essence.count("/") != 1 or " " in essence:
        return None
    params: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition("=")
        if sep:
            params[name.strip().lower()] = value.strip().strip('"')
    return MediaType(essence, params)


def file_kind(content_type: str | None, filename: str | None) -> BodyKind | None:
    """The kind of an uploaded file: its part's media type when that names one we read,
    else its extension; ``None`` when neither says."""
    media = parse_media_type(content_type)
    kind = media.kind if media is not None else None
    if kind is not None and kind is not BodyKind.MULTIPART:
        return kind
    if filename:
        return _EXTENSIONS.get(PurePosixPath(filename).suffix.lower())
    return None


def size_limit(kind: BodyKind, limits: IngestSettings) -> int:
    return {
        BodyKind.JSON: limits.max_json_bytes,
        BodyKind.JSON_LINES: limits.max_json_lines_bytes,
        BodyKind.CSV: limits.max_csv_bytes,
        BodyKind.MULTIPART: limits.max_multipart_bytes,
    }[kind]


def too_large(media: str, limit: int) -> Problem:
    return Problem(
        413,
        "payload-too-large",
        f"{media} bodies are limited to {limit} bytes.",
        extra={"limit_bytes": limit},
    )


def unsupported(detail: str) -> Problem:
    return Problem(
        415,
        "unsupported-media-type",
        detail,
        headers={"accept-post": ACCEPTED},
        extra={"accepted": list(_KINDS)},
    )
