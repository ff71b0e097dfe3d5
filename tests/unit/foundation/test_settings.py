from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.settings import SettingsError, load_settings

BASE = {"LEADGATE_SECRET_KEY": "k" * 43}


def test_defaults_mean_embedded_services_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({**BASE, "LEADGATE_DATA_DIR": str(tmp_path)})

    assert settings.embedded_postgres
    assert settings.embedded_redis
    assert settings.auth.registry_url == f"file:{tmp_path / 'registry.db'}"
    assert settings.http.base_url == "http://127.0.0.1:8000"


def test_external_services_come_from_the_standard_variables(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "LEADGATE_DATA_DIR": str(tmp_path),
            "PGHOST": "db.example.com",
            "PGPORT": "6543",
            "PGDATABASE": "leads",
            "PGUSER": "owner",
            "PGPASSWORD": "pw",
            "REDIS_URL": "redis://cache.example.com:6379/2",
            "LEADGATE_PORT": "9000",
        }
    )

    assert not settings.embedded_postgres
    assert (settings.database.host, settings.database.port, settings.database.dbname) == (
        "db.example.com",
        6543,
        "leads",
    )
    assert "user=owner" in settings.database.owner_conninfo()
    assert "user=leadgate_app_user" in settings.database.app_conninfo()
    assert settings.redis.url == "redis://cache.example.com:6379/2"
    assert settings.http.port == 9000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PGPORT", "five"),
        ("PGPORT", "70000"),
        ("LEADGATE_PORT", "-1"),
        ("LEADGATE_HOST", "not a host"),
        ("REDIS_URL", "http://example.com"),
        ("LEADGATE_REGISTRY_URL", "postgres://x"),
        ("LEADGATE_WORKER_POLL_DELAY", "0"),
        ("LEADGATE_LOG_LEVEL", "LOUD"),
        ("PGDATABASE", "drop table;"),
    ],
)
def test_a_malformed_value_fails_naming_its_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{re.escape(name)}: "):
        load_settings({**BASE, "LEADGATE_DATA_DIR": str(tmp_path), name: value})


def test_the_secret_key_is_required_outside_dev(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^LEADGATE_SECRET_KEY: required"):
        load_settings({"LEADGATE_DATA_DIR": str(tmp_path)})


def test_dev_generates_one_secret_key_and_reuses_it(tmp_path: Path) -> None:
    env = {"LEADGATE_DATA_DIR": str(tmp_path)}
    first = load_settings(env, generate_missing_secret=True)
    second = load_settings(env, generate_missing_secret=True)

    assert first.auth.secret_key == second.auth.secret_key
    assert len(first.auth.secret_key) >= 43
    assert (tmp_path / "dev-secret.key").stat().st_mode & 0o777 == 0o600


def test_settings_never_show_the_secret_key(tmp_path: Path) -> None:
    settings = load_settings({**BASE, "LEADGATE_DATA_DIR": str(tmp_path)})

    assert BASE["LEADGATE_SECRET_KEY"] not in repr(settings)
