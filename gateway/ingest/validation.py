"""Reject a body that is not what its media type says, before anything is stored.

A 4xx here means the sender must fix the request; once the body passes, records inside it
that cannot become leads are data (failed records in the batch), never an error.
"""

from __future__ import annotations

import codecs
import functools

import msgspec

from gateway.core.problems import Problem
from gateway.ingest.body import Received
from gateway.ingest.media import BodyKind
from pipeline.sources import SourceFormatError, get_source
from pipeline.sources.encoding import open_text
from pipeline.sources.layout import fold_header

__all__ = ["check_body"]

_WHITESPACE = b" \t\r\n"


def _first_byte(data: memoryview) -> int | None:
    for byte in data[:65536]:
        if byte not in _WHITESPACE:
            return byte
    return None


SMALL_JSON_BYTES = 64 * 1024
"""JSON bodies up to this size are decoded whole, and the source check reads the keys of
the decoded first object instead of running the source adapter (which compiles a row
mapper per body: most of a single lead's check)."""


def _first_object(document: object) -> dict[str, object] | None:
    if isinstance(document, dict):
        return document
    if isinstance(document, list):
        return next((item for item in document if isinstance(item, dict)), None)
    return None


@functools.cache
def _folded_key_columns(source: str) -> frozenset[str]:
    """A layout is fixed for the life of the process: fold its key columns once."""
    return frozenset(fold_header(column) for column in get_source(source).layout.key_columns)


def _check_columns(source: str, keys: list[str]) -> None:
    """What the adapter decides from a JSON stream's first object (``ColumnPlan.matched``):
    at least one of the layout's key columns, matched as the adapter folds headers."""
    key_columns = _folded_key_columns(source)
    if not any(fold_header(key) in key_columns for key in keys):
        layout = get_source(source).layout
        error = SourceFormatError.missing_columns(
            layout.source, expected=layout.key_columns, found=[key.strip() for key in keys]
        )
        raise Problem(422, "source-format", str(error))


def check_body(received: Received, source: str) -> None:
    """Raise ``Problem`` 400 (empty, not UTF-8, not JSON, JSON where CSV was declared) or
    422 (the source cannot read it: no known columns). Reads the whole body for JSON; run
    it on a thread for large bodies."""
    spool = received.spool
    if spool.size == 0:
        raise Problem(400, "empty-body", "The request body is empty.")
    if received.utf8_error_at is not None:
        raise Problem(
            400,
            "invalid-encoding",
            f"The body is not valid UTF-8 (first bad byte at offset {received.utf8_error_at}).",
        )
    if received.kind is BodyKind.CSV:
        # Decide as the source adapter will, after its encoding detection.
        if open_text(spool.rewound()).prefix.lstrip()[:1] in ("[", "{"):
            raise Problem(
                400, "invalid-csv", "The body was declared as CSV but is JSON; send it as JSON."
            )
    elif received.kind is BodyKind.JSON:
        first_object = _check_json(received)
        if spool.size <= SMALL_JSON_BYTES:
            if first_object is not None:
                _check_columns(source, list(first_object))
            return
    else:
        with spool.buffer() as buffer, memoryview(buffer) as data:
            if _first_byte(data[_bom_length(data) :]) != ord("{"):
                raise Problem(
                    400, "invalid-json", "A JSON-lines body must have one JSON object per line."
                )
    try:
        get_source(source).read(spool.rewound())
    except SourceFormatError as exc:
        raise Problem(422, "source-format", str(exc)) from None


def _bom_length(data: memoryview) -> int:
    return len(codecs.BOM_UTF8) if bytes(data[:3]) == codecs.BOM_UTF8 else 0


def _check_json(received: Received) -> dict[str, object] | None:
    """Validate a JSON document; for a small one, return its first object."""
    small = received.spool.size <= SMALL_JSON_BYTES
    with received.spool.buffer() as buffer, memoryview(buffer) as data:
        body = data[_bom_length(data) :]
        if _first_byte(body) not in (ord("{"), ord("[")):
            raise Problem(
                400,
                "invalid-json",
                "A JSON body must be an object (one lead) or an array of objects.",
            )
        try:
            if small:
                return _first_object(msgspec.json.decode(body))
            # Raw: validates the syntax of the whole document without building it.
            msgspec.json.decode(body, type=msgspec.Raw)
        except msgspec.DecodeError as exc:
            raise Problem(400, "invalid-json", f"The body is not valid JSON: {exc}.") from None
    return None
