"""Session settings from the environment: Secure cookies except for plain-http loopback
development, and timeouts that make sense together."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import SettingsError, load_settings

BASE = {"LEADGATE_SECRET_KEY": "k" * 43}


def test_plain_http_loopback_development_gets_the_unprefixed_cookie(tmp_path: Path) -> None:
    settings = load_settings({**BASE, "LEADGATE_DATA_DIR": str(tmp_path)})

    assert not settings.session.cookie_secure
    assert settings.session.cookie_name == "leadgate_session"


def test_https_public_url_gets_the_host_prefixed_secure_cookie(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "LEADGATE_DATA_DIR": str(tmp_path),
            "LEADGATE_PUBLIC_URL": "https://leads.example.com",
        }
    )

    assert settings.session.cookie_secure
    assert settings.session.cookie_name == "__Host-leadgate_session"


def test_secure_cookie_can_be_forced_on_for_plain_http(tmp_path: Path) -> None:
    settings = load_settings(
        {**BASE, "LEADGATE_DATA_DIR": str(tmp_path), "LEADGATE_COOKIE_SECURE": "true"}
    )

    assert settings.session.cookie_secure


def test_timeouts_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "LEADGATE_DATA_DIR": str(tmp_path),
            "LEADGATE_SESSION_IDLE_TIMEOUT": "600",
            "LEADGATE_SESSION_ABSOLUTE_TIMEOUT": "3600",
        }
    )

    assert (settings.session.idle_timeout_s, settings.session.absolute_timeout_s) == (600, 3600)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        (
            {"LEADGATE_PUBLIC_URL": "https://leads.example.com", "LEADGATE_COOKIE_SECURE": "0"},
            "LEADGATE_COOKIE_SECURE",
        ),
        ({"LEADGATE_COOKIE_SECURE": "maybe"}, "LEADGATE_COOKIE_SECURE"),
        ({"LEADGATE_SESSION_IDLE_TIMEOUT": "0"}, "LEADGATE_SESSION_IDLE_TIMEOUT"),
        (
            {"LEADGATE_SESSION_IDLE_TIMEOUT": "7200", "LEADGATE_SESSION_ABSOLUTE_TIMEOUT": "3600"},
            "LEADGATE_SESSION_IDLE_TIMEOUT",
        ),
    ],
)
def test_unsafe_or_malformed_session_settings_name_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({**BASE, "LEADGATE_DATA_DIR": str(tmp_path), **env})
