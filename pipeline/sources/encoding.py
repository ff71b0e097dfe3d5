"""Turn a vendor's byte stream into text without reading the whole stream.

Vendors send UTF-8, UTF-8 with a BOM, Excel's UTF-16 "Unicode text", or cp1252 (what
Excel on Windows writes as "CSV"). The encoding is decided once, from a bounded prefix:

1. a BOM names the encoding;
2. otherwise, a prefix that is valid UTF-8 (an incomplete last character allowed) means
   UTF-8;
3. otherwise cp1252.

Bytes that the chosen decoder rejects later in the stream (a cp1252 ``é`` deep inside a
file whose first chunk was plain ASCII, or one of the five bytes cp1252 leaves undefined)
never raise and never drop a row: the ``leadgate-fallback`` error handler decodes each
offending byte as cp1252, and a byte cp1252 leaves undefined as the Latin-1 code point of
the same value. A broken UTF-16 tail becomes U+FFFD.
"""

from __future__ import annotations

import codecs
import io
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["PREFIX_BYTES", "DecodedStream", "open_text"]

PREFIX_BYTES = 64 * 1024
"""How much of a stream encoding and format detection look at."""

_FALLBACK_ERRORS = "leadgate-fallback"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    # The UTF-16 codec reads the BOM itself to pick the byte order.
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode_byte(value: int) -> str:
    try:
        return bytes((value,)).decode("cp1252")
    except UnicodeDecodeError:
        return chr(value)


_CP1252_OR_LATIN1 = tuple(_decode_byte(value) for value in range(256))


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    if error.encoding.startswith("utf-16"):
        return "\ufffd", error.end
    bad = error.object[error.start : error.end]
    return "".join(_CP1252_OR_LATIN1[value] for value in bad), error.end


codecs.register_error(_FALLBACK_ERRORS, _fallback)


class DecodedStream:
    """Text from a vendor stream, plus what detection saw.

    ``prefix`` is the decoded start of the stream (at most :data:`PREFIX_BYTES` bytes'
    worth); ``text`` yields the whole stream, prefix included, with line endings untouched
    (``newline=""``, as the csv module requires).
    """

    __slots__ = ("encoding", "prefix", "text")

    def __init__(self, *, encoding: str, prefix: str, text: io.TextIOWrapper) -> None:
        self.encoding = encoding
        self.prefix = prefix
        self.text = text


class _PrefixedReader(io.RawIOBase):
    """Serves the already-read prefix, then the rest of the caller's stream.

    Closing it leaves the caller's stream open: the caller owns it.
    """

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            count = min(len(view), len(self._prefix))
            view[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._rest.read(len(view))
        if not data:
            return 0
        view[: len(data)] = data
        return len(data)


def _read_prefix(stream: BinaryIO) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < PREFIX_BYTES:
        chunk = stream.read(PREFIX_BYTES - size)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _detect(prefix: bytes, *, complete: bool) -> str:
    for bom, encoding in _BOMS:
        if prefix.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=complete)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def open_text(stream: BinaryIO) -> DecodedStream:
    """Detect the encoding of ``stream`` and return it as text.

    Reads at most :data:`PREFIX_BYTES` bytes ahead; the rest is decoded as it is read.
    Decoding never raises (see the module docstring for what replaces bad bytes).
    """
    raw_prefix = _read_prefix(stream)
    encoding = _detect(raw_prefix, complete=len(raw_prefix) < PREFIX_BYTES)
    prefix = codecs.getincrementaldecoder(encoding)(_FALLBACK_ERRORS).decode(raw_prefix)
    buffered = io.BufferedReader(_PrefixedReader(raw_prefix, stream), PREFIX_BYTES)
    text = io.TextIOWrapper(buffered, encoding=encoding, errors=_FALLBACK_ERRORS, newline="")
    return DecodedStream(encoding=encoding, prefix=prefix, text=text)
