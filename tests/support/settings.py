"""Settings for tests, built directly (never from the test runner's environment)."""

from __future__ import annotations

from pathlib import Path

from gateway.settings import HttpSettings, Settings
from pipeline.core.settings import DatabaseSettings, RedisSettings
from tenant_auth.core.settings import AuthSettings

TEST_SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnop"


def make_settings(
    data_dir: Path, database: DatabaseSettings, redis_url: str, *, port: int = 0
) -> Settings:
    return Settings(
        data_dir=data_dir,
        database=database,
        redis=RedisSettings(url=redis_url),
        auth=AuthSettings(
            data_dir=data_dir,
            registry_url=f"file:{data_dir / 'registry.db'}",
            registry_token=None,
            secret_key=TEST_SECRET_KEY,
        ),
        http=HttpSettings(host="127.0.0.1", port=port),
    )
