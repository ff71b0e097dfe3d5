"""A tenant's overrides of the Lead -> Bonzo payload mapping, as stored configuration.

``PayloadMapping`` is decoded from the tenant's JSON settings with msgspec, so every check
here runs when the configuration is saved, not when a lead is on its way to Bonzo.
"""

from __future__ import annotations

import re

import msgspec

from pipeline.core.lead import LEAD_FIELDS
from pipeline.core.structs import Frozen

__all__ = [
    "BONZO_GENERAL_KEYS",
    "BONZO_MORTGAGE_KEYS",
    "RESERVED_KEYS",
    "PayloadMapping",
    "custom_field_key",
    "is_writable_key",
]

BONZO_GENERAL_KEYS: frozenset[str] = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "city",
        "state",
        "zip",
        "marital_status",
        "prospect_type",
        "unit_number",
        "alias",
        "birthday",
    }
)
BONZO_MORTGAGE_KEYS: frozenset[str] = frozenset(
    {
        "loan_amount",
        "down_payment",
        "loan_program",
        "credit_score",
        "loan_type",
        "loan_purpose",
        "property_value",
        "property_address",
        "property_unit_number",
        "property_city",
        "property_state",
        "property_zip",
        "property_county",
        "property_type",
        "property_use",
        "purchase_price",
        "interest_rate",
        "cash_out_amount",
        "found_home",
        "bankruptcy",
        "company_name",
    }
)
RESERVED_KEYS: frozenset[str] = frozenset({"external_id", "notes", "user_id"})
"""Keys ``build_payload`` always writes itself; a mapping may not aim anything at them."""

_CUSTOM_KEY = re.compile(r"custom_\S+")
# Fields a tenant may re-aim. ``extra`` is not one of them: vendor columns vary per file,
# so they always go to the notes.
_MAPPABLE_FIELDS = frozenset(LEAD_FIELDS) - {"extra"}


def custom_field_key(name: str) -> str:
    """The payload key Bonzo reads for the custom field called ``name`` in its UI:
    ``"Lead Source"`` -> ``"custom_Lead_Source"`` (spaces become underscores, case kept)."""
    return "custom_" + "_".join(name.split())


def is_writable_key(key: str) -> bool:
    """Whether a mapping may write ``key``: a General or mortgage key Bonzo reads, or a
    ``custom_<Name>`` key without whitespace."""
    return (
        key in BONZO_GENERAL_KEYS
        or key in BONZO_MORTGAGE_KEYS
        or _CUSTOM_KEY.fullmatch(key) is not None
    )


class PayloadMapping(Frozen):
    """How one tenant wants its leads laid out in Bonzo, on top of the default table.

    ``fields`` re-aims canonical fields: ``{"loan_balance": ["loan_amount"]}`` writes the
    balance to Bonzo's loan amount; several keys write the same value to each; an empty
    list keeps the value in the notes only. ``static`` values are written on every lead
    but never replace a value the lead has. ``user_id`` assigns every lead to that Bonzo
    user unless the caller routes it to another.
    """

    fields: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    static: dict[str, str | int] = msgspec.field(default_factory=dict)
    user_id: int | None = None

    def __post_init__(self) -> None:
        for field, keys in self.fields.items():
            if field not in _MAPPABLE_FIELDS:
                raise ValueError(f"fields: {field!r} is not a mappable Lead field")
            for key in keys:
                _check_key(f"fields.{field}", key)
        for key in self.static:
            _check_key("static", key)
        if self.user_id is not None and self.user_id <= 0:
            raise ValueError("user_id: must be a positive Bonzo user id")


def _check_key(where: str, key: str) -> None:
    if key in RESERVED_KEYS:
        raise ValueError(f"{where}: {key!r} is written by leadgate itself")
    if not is_writable_key(key):
        raise ValueError(
            f"{where}: {key!r} is neither a Bonzo General/mortgage key nor custom_<Name> "
            "(write spaces in custom field names as underscores)"
        )
