"""What both compiled renderers settle from a resolved column plan before they build slots.

``leadgate normalize``'s line renderer (:mod:`pipeline.sources.linebuilder`) and ingest's
staging renderer (:mod:`pipeline.intake.copyrender`) encode differently but read a plan the
same way: the layout's constants through the rules, the rule fields fed by columns in the
order of the reference's warnings, and the plans neither can reproduce exactly. The
delivery errors are the reference's own objects, so their wording cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, Final, NamedTuple

import msgspec

from pipeline.core.records import FailedRecord, FieldIssue, RawRecord
from pipeline.normalize import normalize_field, normalize_record
from pipeline.sources.rowmapper import RowMapping

__all__ = [
    "BY_ORDER",
    "CONTACT_REQUIRED",
    "CREDIT_FIELDS",
    "FIRST_NAME_REQUIRED",
    "RenderPlan",
    "column_of",
    "nameable",
    "row_struct",
    "settle_plan",
]

CREDIT_FIELDS: Final = ("credit_score", "credit_grade")
# Fields that come from several columns at once; a layout constant for one of them would
# need the reference's precedence rules.
_COMBINED: Final = frozenset({"phone", "alt_phones", "credit_score", "credit_grade", "extra"})
BY_ORDER: Final = itemgetter(0)
"""Sort key of a warning ``(order, ...)``: its place in the reference's list."""


def _delivery_error(fields: dict[str, str]) -> FieldIssue:
    """The one error the reference gives a record with these fields."""
    result = normalize_record(RawRecord(number=1, raw={}, fields=fields))
    assert isinstance(result, FailedRecord)
    assert len(result.errors) == 1
    return result.errors[0]


FIRST_NAME_REQUIRED: Final = _delivery_error({"source": "x", "email": "a@example.com"})
CONTACT_REQUIRED: Final = _delivery_error({"source": "x", "first_name": "A"})


class RenderPlan(NamedTuple):
    constants: dict[str, object]
    """The layout's constant fields, settled by their rules."""
    fields: list[str]
    """The rule fields fed by columns, in the order the row mapper fills
    ``RawRecord.fields``: the order of the reference's warnings."""
    credit: list[str]
    """The credit fields among ``fields`` (each fed by one column)."""


def settle_plan(mapping: RowMapping) -> RenderPlan | None:
    """The plan's fields, or ``None`` when a renderer cannot reproduce the reference for
    it: a constant a rule rejects or that needs precedence rules, no source, no first-name
    column, no contact column, or a credit field fed by several columns (rare enough to
    leave to the reference path)."""
    constants: dict[str, object] = {}
    for field, raw in mapping.constants:
        value, rejected = normalize_field(field, raw)
        if rejected is not None:
            return None
        constants[field] = value
    if constants.get("source") is None or not _COMBINED.isdisjoint(constants):
        return None
    ordered = [field for field, _ in mapping.single]
    ordered += [field for field, _ in mapping.first_of]
    ordered += [field for field, _ in mapping.joined]
    fields = [field for field in ordered if field not in constants]
    if "first_name" not in fields or ("email" not in fields and not mapping.phones):
        return None
    credit: list[str] = [field for field in CREDIT_FIELDS if field in fields]
    if any(column_of(field, mapping) is None for field in credit):
        return None
    return RenderPlan(constants, fields, credit)


def column_of(field: str, mapping: RowMapping) -> int | None:
    """The one column that feeds ``field``, if it is fed by one column alone."""
    return next((index for name, index in mapping.single if name == field), None)


_ESCAPED_IN_JSON: Final = re.compile(r'["\\\x00-\x1f]')


def nameable(keys: Sequence[str]) -> bool:
    """Whether :func:`row_struct` can name its fields ``keys``: msgspec writes a renamed
    field's name without escaping it, so a key JSON must escape (rare in a header) cannot."""
    return not any(map(_ESCAPED_IN_JSON.search, keys))


def row_struct(name: str, keys: Sequence[str], *, omit_blank: bool = False) -> type[Any]:
    """A struct of ``keys`` (distinct and :func:`nameable`; string values), positional, that
    encodes as the JSON object of the keys it is given, in C: a row's ``raw`` without a dict
    per row. With ``omit_blank``, empty strings are left out."""
    fields = [
        (f"f{position}", str, "") if omit_blank else (f"f{position}", str)
        for position in range(len(keys))
    ]
    rename = {f"f{position}": key for position, key in enumerate(keys)}
    return msgspec.defstruct(name, fields, rename=rename, omit_defaults=omit_blank)
