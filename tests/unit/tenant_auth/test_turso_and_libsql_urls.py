"""Turso database names and token lifetimes; how database URLs reach libsql-client."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tenant_auth.core.errors import InvalidInput
from tenant_auth.core.libsql import _client_url
from tenant_auth.turso.client import _expiration, database_name_for


def test_database_name_is_the_slug_with_a_prefix() -> None:
    assert database_name_for("acme-mortgage") == "leadgate-acme-mortgage"


def test_long_slug_is_shortened_with_a_hash_to_64_characters() -> None:
    long_a, long_b = "a" * 62 + "b", "a" * 62 + "c"
    names = {database_name_for(long_a), database_name_for(long_b)}
    assert len(names) == 2
    assert all(len(name) <= 64 for name in names)


@pytest.mark.parametrize(
    ("lifetime", "expected"),
    [
        (timedelta(days=30), "30d"),
        (timedelta(days=1, hours=12, minutes=30), "1d12h30m"),
        (timedelta(minutes=5), "5m"),
    ],
)
def test_token_lifetime_uses_turso_duration_syntax(lifetime: timedelta, expected: str) -> None:
    assert _expiration(lifetime) == expected


def test_token_lifetime_under_a_minute_is_refused() -> None:
    with pytest.raises(InvalidInput):
        _expiration(timedelta(seconds=59))


def test_libsql_url_is_reached_over_https_and_tls_off_over_http() -> None:
    assert _client_url("libsql://acme-org.turso.io") == ("https://acme-org.turso.io", None)
    assert _client_url("libsql://127.0.0.1:8080?tls=0") == ("http://127.0.0.1:8080", None)
    assert _client_url("https://acme-org.turso.io") == ("https://acme-org.turso.io", None)


def test_file_url_creates_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "tenant.db"
    assert _client_url(f"file:{path}") == (f"file:{path}", str(path))
    assert path.parent.is_dir()


@pytest.mark.parametrize(
    "url",
    [
        "ws://db.example.com",
        "libsql://db.example.com?authToken=x",
        "libsql://db.example.com?tls=2",
        "file://remote-host/x.db",
        "https://db.example.com#frag",
    ],
)
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        _client_url(url)
