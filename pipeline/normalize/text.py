"""Free-text fields, identifiers, the lead kind and the consent URL: trimmed, never reworded."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, get_args

from pipeline.core.lead import LeadKind
from pipeline.normalize.issues import Rejected

__all__ = [
    "MISSING_MARKERS",
    "normalize_consent_url",
    "normalize_free_text",
    "normalize_identifier",
    "normalize_lead_kind",
]

MISSING_MARKERS: Final[frozenset[str]] = frozenset(
    {"N/A", "NA", "#N/A", "NULL", "(NULL)", "NONE", "NAN", "NIL", "-", "--", "?"}
)
"""Upper-cased cell values that vendors and spreadsheets use for "no value". Numeric, date,
yes/no and credit fields read them as blank; names and free text do not, because ``Na`` and
``Nan`` are real names and free text keeps the vendor's words."""

# Scheme, optional user info, a host name or bracketed IPv6 address, an optional port, and
# the end or the start of a path. Only this prefix is matched: the rest of a URL just needs
# to be printable without spaces. Deliberately no DNS or reachability check.
_HTTP_URL_PREFIX: Final = re.compile(
    r"https?://(?:[^\s/?#@\[\]]*@)?(?:[^\s/?#@:\[\]]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?"
    r"(?:[/?#]|$)",
    re.I,
)
_INVALID_URL = Rejected("invalid_url", "consent URL must be an absolute http or https URL")
_LEAD_KINDS: Final[dict[str, LeadKind]] = {kind: kind for kind in get_args(LeadKind)}
_INVALID_LEAD_KIND = Rejected("invalid_lead_kind", "lead kind is not one leadgate knows")


@lru_cache(maxsize=4096)
def normalize_free_text(value: str) -> str | None:
    """Loan type, purpose, property type and use: the vendor's words, whitespace collapsed."""
    return " ".join(value.split()) or None


def normalize_identifier(value: str) -> str | None:
    """The vendor's record id: trimmed only, since inner spaces may be significant."""
    return value.strip() or None


@lru_cache(maxsize=64)
def normalize_lead_kind(value: str) -> LeadKind | Rejected:
    """How the lead was produced (set by the source adapter); blank is ``"unknown"``."""
    kind = value.strip().lower()
    if not kind:
        return "unknown"
    return _LEAD_KINDS.get(kind, _INVALID_LEAD_KIND)


def normalize_consent_url(value: str) -> str | Rejected | None:
    """An absolute http(s) URL with a host, trimmed; anything else is rejected."""
    url = value.strip()
    if not url:
        return None
    # isprintable() is false for every whitespace character but the ASCII space.
    if " " in url or not url.isprintable() or _HTTP_URL_PREFIX.match(url) is None:
        return _INVALID_URL
    return url
