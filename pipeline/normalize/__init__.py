"""Normalization rules: a ``RawRecord`` becomes a ``NormalizedLead`` or a ``FailedRecord``.

``normalize_record`` is the entry point for source adapters; ``CODES`` lists every issue
code it can emit (a contract); ``compliance_hold_reason`` tells the pipeline whether a
normalized lead may be delivered. The rules and their judgement calls are described in
``RULES.md`` next to this file.
"""

from __future__ import annotations

from pipeline.normalize.compliance import compliance_hold_reason
from pipeline.normalize.config import DEFAULT_CONFIG, NormalizeConfig
from pipeline.normalize.issues import CODES, ERROR_CODES
from pipeline.normalize.service import normalize_field, normalize_item, normalize_record

__all__ = [
    "CODES",
    "DEFAULT_CONFIG",
    "ERROR_CODES",
    "NormalizeConfig",
    "compliance_hold_reason",
    "normalize_field",
    "normalize_item",
    "normalize_record",
]
