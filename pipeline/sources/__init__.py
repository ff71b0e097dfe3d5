"""Vendor source adapters: stream a vendor's file or body into ``RawRecord``s.

    adapter = get_source("experian")
    for item in adapter.read(stream):     # RawRecord, or FailedRecord for an unreadable row
        ...

``adapter.read`` raises :class:`SourceFormatError` up front for a stream that is empty or
has none of the source's key columns; after that, a bad row is a ``FailedRecord`` with one
of :data:`ISSUE_CODES`, not an exception.
"""

from __future__ import annotations

from pipeline.sources.adapter import SourceAdapter, SourceItem
from pipeline.sources.errors import MappingError, SourceFormatError, UnknownSourceError
from pipeline.sources.issues import CODES as ISSUE_CODES
from pipeline.sources.layout import MAPPABLE_FIELDS, Layout
from pipeline.sources.mapping import decode_mapping, load_mapping
from pipeline.sources.registry import SOURCE_NAMES, get_source

__all__ = [
    "ISSUE_CODES",
    "MAPPABLE_FIELDS",
    "SOURCE_NAMES",
    "Layout",
    "MappingError",
    "SourceAdapter",
    "SourceFormatError",
    "SourceItem",
    "UnknownSourceError",
    "decode_mapping",
    "get_source",
    "load_mapping",
]
