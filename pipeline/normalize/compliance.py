"""Whether a lead may be used at all: bureau trigger leads need a permissible purpose."""

from __future__ import annotations

import datetime as dt

from pipeline.core.lead import Lead
from pipeline.normalize.config import NormalizeConfig

__all__ = ["compliance_hold_reason"]


def compliance_hold_reason(lead: Lead, *, config: NormalizeConfig) -> str | None:
    """Why this lead must be held instead of delivered, or ``None`` if it may be used.

    From ``config.trigger_consent_from`` on, a bureau trigger lead (``lead_kind ==
    "trigger"``) may only be used by a tenant with a permissible purpose on file
    (``config.permissible_purpose``; blank counts as none). A trigger lead without a valid
    ``trigger_date`` is held too: nothing shows that it predates the rule.
    """
    if lead.lead_kind != "trigger":
        return None
    if config.permissible_purpose is not None and config.permissible_purpose.strip():
        return None
    cutoff = config.trigger_consent_from.isoformat()
    trigger_day = _parse_day(lead.trigger_date)
    if trigger_day is None:
        return (
            f"trigger lead has no trigger date, so it cannot be shown to predate {cutoff}, "
            "and the tenant has no permissible purpose on file"
        )
    if trigger_day < config.trigger_consent_from:
        return None
    return (
        f"trigger lead dated {trigger_day.isoformat()} is on or after {cutoff}, and the "
        "tenant has no permissible purpose on file"
    )


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
