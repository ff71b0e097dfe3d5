"""Receive an ingest request body without holding it whole in memory.

The body is read chunk by chunk: counted against the limit of its media type (413 as soon
as it passes), fed to the signature check when the request is signed (the HMAC covers the
raw bytes, multipart framing included), checked for UTF-8 when its kind requires it, and
written to a :class:`Spool`. For ``multipart/form-data`` only the ``file`` part is kept.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import mmap
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from multipart import (  # type: ignore[import-untyped]
    MultipartSegment,
    ParserError,
    ParserLimitReached,
    PushMultipartParser,
)

from gateway.core.problems import Problem
from gateway.ingest.media import (
    BodyKind,
    MediaType,
    file_kind,
    parse_media_type,
    too_large,
    unsupported,
)

__all__ = ["SPOOL_MEMORY_BYTES", "Received", "Spool", "receive_body"]

SPOOL_MEMORY_BYTES = 1024 * 1024
"""Bodies up to this size stay in memory; larger ones go to an anonymous temp file."""

FILE_FIELD = "file"
MAX_PARTS = 16
MAX_FILENAME_CHARS = 255


class Spool:
    """The bytes to store, with their size and SHA-256 (the idempotency fingerprint)."""

    def __init__(self) -> None:
        self._memory = bytearray()
        self._file: BinaryIO | None = None
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._digest.update(data)
        self.size += len(data)
        if self._file is None and self.size <= SPOOL_MEMORY_BYTES:
            self._memory += data
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
            self._file.write(self._memory)
            self._memory = bytearray()
        self._file.write(data)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def rewound(self) -> BinaryIO:
        """The bytes as a seekable stream positioned at the start. One reader at a time:
        each call rewinds the same stream."""
        if self._file is None:
            return io.BytesIO(self._memory)
        self._file.flush()
        self._file.seek(0)
        return self._file

    @contextmanager
    def buffer(self) -> Iterator[memoryview | mmap.mmap]:
        """The bytes as one buffer: the memory itself, or the temp file mapped read-only
        (pages the kernel can drop, never a copy on the heap)."""
        if self._file is None:
            with memoryview(self._memory) as view:
                yield view
            return
        self._file.flush()
        if self.size == 0:
            yield memoryview(b"")
            return
        with mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            yield mapped

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class Received:
    spool: Spool
    kind: BodyKind
    """The kind of the stored bytes (for multipart: of the uploaded file)."""
    content_type: str | None
    """The declared media type of the stored bytes, if any."""
    filename: str | None
    utf8_error_at: int | None
    """Byte offset of the first invalid UTF-8 sequence, when the kind requires UTF-8."""


class _Utf8Check:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.offset = 0
        self.error_at: int | None = None

    def feed(self, data: bytes, *, final: bool = False) -> None:
        if self.error_at is not None:
            return
        try:
            self._decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            self.error_at = self.offset + exc.start
        self.offset += len(data)


def _needs_utf8(kind: BodyKind, media: MediaType | None) -> bool:
    # RFC 8259: JSON exchanged between systems is UTF-8. CSV has no such rule (vendors send
    # cp1252), unless the sender declared UTF-8.
    if kind in (BodyKind.JSON, BodyKind.JSON_LINES):
        return True
    return media is not None and media.declares_utf8


async def receive_body(
    chunks: AsyncIterator[bytes],
    media: MediaType,
    kind: BodyKind,
    *,
    limit: int,
    on_raw: Callable[[bytes], Any] | None = None,
) -> Received:
    """Read the whole body into a spool. ``on_raw`` sees every raw byte (the signature
    check). Raises ``Problem`` 413 past ``limit`` and 400 for broken multipart framing or
    a missing ``file`` part; the caller closes ``Received.spool``."""
    spool = Spool()
    try:
        if kind is BodyKind.MULTIPART:
            return await _receive_multipart(chunks, media, spool, limit=limit, on_raw=on_raw)
        check = _Utf8Check() if _needs_utf8(kind, media) else None
        total = 0
        async for chunk in chunks:
            total += len(chunk)
            if total > limit:
                raise too_large(media.essence, limit)
            if on_raw is not None:
                on_raw(chunk)
            if check is not None:
                check.feed(chunk)
            spool.write(chunk)
        if check is not None:
            check.feed(b"", final=True)
        return Received(
            spool=spool,
            kind=kind,
            content_type=media.essence,
            filename=None,
            utf8_error_at=None if check is None else check.error_at,
        )
    except BaseException:
        spool.close()
        raise


async def _receive_multipart(
    chunks: AsyncIterator[bytes],
    media: MediaType,
    spool: Spool,
    *,
    limit: int,
    on_raw: Callable[[bytes], Any] | None,
) -> Received:
    boundary = media.params.get("boundary")
    if not boundary:
        raise Problem(400, "bad-request", "multipart/form-data needs a boundary parameter.")
    file_media: MediaType | None = None
    kind: BodyKind | None = None
    filename: str | None = None
    check: _Utf8Check | None = None
    in_file = seen_file = False
    total = 0
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
            async for chunk in chunks:
                total += len(chunk)
                if total > limit:
                    raise too_large(media.essence, limit)
                if on_raw is not None:
                    on_raw(chunk)
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        in_file = event.name == FILE_FIELD
                        if not in_file:
                            continue
                        if seen_file:
                            raise Problem(400, "bad-request", "Send exactly one 'file' part.")
                        seen_file = True
                        filename = _clean_filename(event.filename)
                        kind = file_kind(event.content_type, filename)
                        if kind is None:
                            raise unsupported(
                                "The uploaded file's type is not one we read: give the part a "
                                "Content-Type of application/json, application/x-ndjson or "
                                "text/csv, or a .json, .jsonl or .csv file name."
                            )
                        file_media = parse_media_type(event.content_type)
                        check = _Utf8Check() if _needs_utf8(kind, file_media) else None
                    elif event is None:
                        in_file = False
                    elif in_file:
                        if check is not None:
                            check.feed(event)
                        spool.write(event)
    except (ParserError, ParserLimitReached):
        raise Problem(400, "bad-request", "The multipart/form-data body is malformed.") from None
    if kind is None:
        raise Problem(400, "bad-request", "The multipart body has no 'file' part.")
    if check is not None:
        check.feed(b"", final=True)
    return Received(
        spool=spool,
        kind=kind,
        content_type=None if file_media is None else file_media.essence,
        filename=filename,
        utf8_error_at=None if check is None else check.error_at,
    )


def _clean_filename(raw: str | None) -> str | None:
    """The upload's base name, without control characters and bounded in length: it is
    stored and shown, never used as a path."""
    if not raw:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:MAX_FILENAME_CHARS] or None
