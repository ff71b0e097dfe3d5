"""What a source adapter hands to the normalizer, and what the normalizer hands back.

Sources know vendor columns; the normalizer knows the data rules. ``RawRecord`` is the
seam: vendor columns already mapped to canonical field names, values still raw strings.
"""

from __future__ import annotations

import msgspec

from pipeline.core.lead import Lead
from pipeline.core.structs import Frozen

__all__ = ["FailedRecord", "FieldIssue", "NormalizedLead", "RawRecord"]


class RawRecord(Frozen):
    number: int
    """1-based data-record number in the file (header excluded; a quoted newline does not
    start a new record)."""
    raw: dict[str, str]
    """The row as the vendor sent it, header -> cell; kept for failed-record export. A
    duplicated header's later occurrences are keyed ``"Header (2)"``, ``"Header (3)"``."""
    fields: dict[str, str]
    """Canonical field name -> raw value, e.g. ``{"first_name": " MARY ", "zip": "2134"}``.
    Multi-part fields are already joined (experian house number + street -> ``address``)."""
    phones: list[str] = msgspec.field(default_factory=list)
    """Every phone candidate in vendor order; the first valid one becomes ``phone`` and the
    other distinct valid ones ``alt_phones``."""
    extra: dict[str, str] = msgspec.field(default_factory=dict)
    """Non-empty vendor columns no mapping claims, header -> value."""


class FieldIssue(Frozen):
    field: str
    code: str
    """Stable machine code, e.g. ``invalid_phone``, ``contact_required``."""
    message: str


class NormalizedLead(Frozen):
    record: int
    lead: Lead
    warnings: list[FieldIssue]


class FailedRecord(Frozen):
    record: int
    errors: list[FieldIssue]
    raw: dict[str, str]
