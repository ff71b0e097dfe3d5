"""Free text, identifiers, lead kind and consent URL."""

from __future__ import annotations

import pytest

from pipeline.normalize.issues import Rejected
from pipeline.normalize.text import (
    normalize_consent_url,
    normalize_free_text,
    normalize_identifier,
    normalize_lead_kind,
)


def test_free_text_keeps_the_vendors_words_with_whitespace_collapsed() -> None:
    assert normalize_free_text("  Cash-Out   REFINANCE\n ") == "Cash-Out REFINANCE"
    assert normalize_free_text("N/A") == "N/A"
    assert normalize_free_text(" \t ") is None


def test_identifier_is_trimmed_only() -> None:
    assert normalize_identifier("  TU 000123 ") == "TU 000123"
    assert normalize_identifier("   ") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("trigger", "trigger"), (" Trigger ", "trigger"), ("PRESCREEN", "prescreen"), ("", "unknown")],
)
def test_lead_kind_is_one_of_the_known_kinds(raw: str, expected: str) -> None:
    assert normalize_lead_kind(raw) == expected


def test_unknown_lead_kind_is_rejected() -> None:
    result = normalize_lead_kind("cold call")
    assert isinstance(result, Rejected)
    assert result.code == "invalid_lead_kind"


@pytest.mark.parametrize(
    "raw",
    [
        "https://cert.trustedform.com/0123abcd",
        "http://example.com",
        "HTTPS://Example.com/path?q=1#frag",
        "https://user@example.com:8443/consent",
        "http://[2001:db8::1]/x",
    ],
)
def test_absolute_http_url_is_kept(raw: str) -> None:
    assert normalize_consent_url(f"  {raw} ") == raw


@pytest.mark.parametrize(
    "raw",
    [
        "example.com/consent", "ftp://example.com/x", "https://", "https:///path", "https://:80",
        "https://exa mple.com", "https://example.com/a b", "https://example.com/\x00",
        "javascript:alert(1)", "mailto:mary@example.com", "https//example.com",
    ],
)  # fmt: skip
def test_anything_but_an_absolute_http_url_is_rejected(raw: str) -> None:
    result = normalize_consent_url(raw)
    assert isinstance(result, Rejected)
    assert result.code == "invalid_url"


def test_blank_url_is_no_url() -> None:
    assert normalize_consent_url("  ") is None
