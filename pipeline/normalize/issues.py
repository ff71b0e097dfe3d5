"""The stable issue codes of the normalization rules, and how a rule rejects a value.

``CODES`` is a contract: failed-record exports, dashboards and tenants' own tooling match on
these strings, so a code is never renamed or reused with another meaning. Messages are for
people and may change; they never quote the offending value (it may be PII, and the raw row
travels with a failed record anyway).

Warnings (the value becomes ``null``, the lead is still delivered):

=========================  ==================================================================
invalid_phone              not a valid 10-digit North American number
invalid_email              not a syntactically valid address
invalid_name               a name or city with no letters in it
invalid_state              not a USPS state, territory or military code, nor a state's name
invalid_zip                not a 5-digit ZIP (or ZIP+4, or a ZIP that lost leading zeros)
invalid_credit_score       neither a score, a score band, nor a credit grade
unknown_credit_grade       a credit grade the tenant has no score for (grade kept)
credit_score_excluded      a FICO exclusion code (9000-9999): the bureau could not score
credit_score_out_of_range  a number outside 300-850
invalid_boolean            not one of Y/YES/TRUE/T/1 or N/NO/FALSE/F/0
invalid_number             not an amount, a percent, or a band with a lower bound
negative_amount            an amount below zero
rate_out_of_range          an interest rate outside 1-30 % or an LTV outside 0 or 1-200 %
invalid_date               not a real calendar date in a known layout
invalid_url                not an absolute http(s) URL
invalid_lead_kind          a lead kind the pipeline does not know (kind becomes "unknown")
=========================  ==================================================================

Errors (the record fails and is not delivered):

=========================  ==================================================================
contact_required           no valid email and no valid phone (field ``contact``)
first_name_required        no first name: Bonzo answers 422 without one
source_required            the source adapter did not name the source
=========================  ==================================================================
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["CODES", "ERROR_CODES", "Rejected"]


class Rejected(NamedTuple):
    """A rule's verdict that a raw value is unusable; the caller attaches the field name.

    Rules return this instead of raising so their results can be memoized like any other.
    """

    code: str
    message: str


CODES: Final[dict[str, str]] = {
    "invalid_phone": "not a valid 10-digit North American number",
    "invalid_email": "not a syntactically valid email address",
    "invalid_name": "a name or city with no letters in it",
    "invalid_state": "not a USPS state, territory or military code, nor a state's name",
    "invalid_zip": "not a 5-digit ZIP code",
    "invalid_credit_score": "neither a credit score, a score band, nor a credit grade",
    "unknown_credit_grade": "a credit grade the tenant has no score for",
    "credit_score_excluded": "a FICO exclusion code: the bureau could not score the consumer",
    "credit_score_out_of_range": "a credit score outside 300-850",
    "invalid_boolean": "not a recognised yes/no value",
    "invalid_number": "not an amount, a percent, or a band with a lower bound",
    "negative_amount": "an amount below zero",
    "rate_out_of_range": "a rate or LTV outside its plausible range",
    "invalid_date": "not a real calendar date in a known layout",
    "invalid_url": "not an absolute http(s) URL",
    "invalid_lead_kind": "a lead kind the pipeline does not know",
    "contact_required": "no valid email and no valid phone",
    "first_name_required": "no first name",
    "source_required": "the record does not name its source",
}
"""Every code a ``FieldIssue`` from this package can carry, with its meaning."""

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {"contact_required", "first_name_required", "source_required"}
)
"""The codes that make a record fail; every other code is a warning."""
