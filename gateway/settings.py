"""The one settings tree, read from the environment once at startup.

Every variable is parsed here and nowhere else; a wrong value stops the process with a
message that names the variable. Tests build ``Settings`` directly instead.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import msgspec

from pipeline.core.settings import DatabaseSettings, RedisSettings, WorkerSettings
from pipeline.core.structs import Frozen
from tenant_auth.core.settings import AuthSettings

__all__ = [
    "HttpSettings",
    "IngestSettings",
    "SessionSettings",
    "Settings",
    "SettingsError",
    "load_settings",
]

T = TypeVar("T")


class SettingsError(ValueError):
    """A variable is missing or malformed; the message names it."""


class HttpSettings(Frozen):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """Where users reach the gateway (for links and OAuth redirects); derived from host and
    port when unset."""

    metrics_token: str | None = None
    """Bearer token for ``/metrics``; unset, only loopback clients may scrape."""
    frame_ancestors: tuple[str, ...] = ("https://app.getbonzo.com",)
    """Origins that may frame our pages (CSP ``frame-ancestors``, besides ourselves)."""

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


_MIB = 1024 * 1024


class IngestSettings(Frozen):
    """Limits of ``POST /ingest/{source}``. Sizes are bytes of the request body."""

    max_json_bytes: int = 10 * _MIB
    max_json_lines_bytes: int = 100 * _MIB
    max_csv_bytes: int = 100 * _MIB
    max_multipart_bytes: int = 100 * _MIB
    group_commit_max_bytes: int = 64 * 1024
    """Bodies up to this size are committed together with concurrent requests' bodies;
    larger ones are stored on their own (in 4 MiB chunks)."""
    rate_per_s: int = 100
    """Requests per second per API key (or per tenant and source for signed requests)."""


class SessionSettings(Frozen):
    """Signed-in people's server-side sessions (Redis) and their cookie."""

    cookie_secure: bool = True
    """``Secure`` cookie under the ``__Host-`` prefix. Off only for plain-http development
    (browsers never return a ``Secure`` cookie over http, and ``__Host-`` requires it)."""
    idle_timeout_s: int = 30 * 60
    """A session unused this long is gone."""
    absolute_timeout_s: int = 12 * 60 * 60
    """A session older than this is gone however busy it is; sign in again."""

    @property
    def cookie_name(self) -> str:
        return "__Host-leadgate_session" if self.cookie_secure else "leadgate_session"


class Settings(Frozen):
    data_dir: Path
    database: DatabaseSettings
    redis: RedisSettings
    auth: AuthSettings
    http: HttpSettings = msgspec.field(default_factory=HttpSettings)
    worker: WorkerSettings = msgspec.field(default_factory=WorkerSettings)
    ingest: IngestSettings = msgspec.field(default_factory=IngestSettings)
    session: SessionSettings = msgspec.field(default_factory=SessionSettings)
    log_level: str = "INFO"

    @property
    def embedded_postgres(self) -> bool:
        return self.database.host is None

    @property
    def embedded_redis(self) -> bool:
        return self.redis.url is None


def load_settings(
    environ: Mapping[str, str] | None = None, *, generate_missing_secret: bool = False
) -> Settings:
    """Build settings from ``environ`` (``os.environ`` by default).

    ``generate_missing_secret`` is for ``leadgate dev`` only: with no
    ``LEADGATE_SECRET_KEY`` it creates one in the data directory (mode 0600) and reuses it,
    so the embedded default needs no setup. Production commands require the variable.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(_get(env, "LEADGATE_DATA_DIR", str, ".leadgate")).expanduser().resolve()

    secret_key = env.get("LEADGATE_SECRET_KEY") or None
    if secret_key is None:
        if not generate_missing_secret:
            raise SettingsError(
                "LEADGATE_SECRET_KEY: required (32+ random bytes, urlsafe base64); "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        secret_key = _dev_secret_key(data_dir)

    database = DatabaseSettings(
        host=env.get("PGHOST") or None,
        port=_get(env, "PGPORT", _port, 5432),
        dbname=_get(env, "PGDATABASE", _identifier("PGDATABASE"), "leadgate"),
        owner_user=env.get("PGUSER") or None,
        owner_password=env.get("PGPASSWORD") or None,
        app_user=_get(
            env, "LEADGATE_APP_PGUSER", _identifier("LEADGATE_APP_PGUSER"), "leadgate_app_user"
        ),
        app_password=env.get("LEADGATE_APP_PGPASSWORD") or None,
        pool_max_size=_get(env, "LEADGATE_PG_POOL_MAX", _positive_int, 10),
    )
    redis_url = env.get("REDIS_URL") or None
    if redis_url is not None and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(
            f"REDIS_URL: expected redis://, rediss:// or unix:// URL, got {redis_url!r}"
        )

    registry_url = env.get("LEADGATE_REGISTRY_URL") or f"file:{data_dir / 'registry.db'}"
    if not registry_url.startswith(
        ("file:", "libsql://", "http://", "https://", "ws://", "wss://")
    ):
        raise SettingsError(
            f"LEADGATE_REGISTRY_URL: expected a file:, libsql://, http(s):// or ws(s):// URL, got {registry_url!r}"
        )
    auth = AuthSettings(
        data_dir=data_dir,
        registry_url=registry_url,
        registry_token=env.get("LEADGATE_REGISTRY_TOKEN") or None,
        secret_key=secret_key,
        turso_api_url=_get(env, "LEADGATE_TURSO_API_URL", str, "https://api.turso.tech"),
        turso_org=env.get("LEADGATE_TURSO_ORG") or None,
        turso_group=env.get("LEADGATE_TURSO_GROUP") or None,
        turso_api_token=env.get("LEADGATE_TURSO_API_TOKEN") or None,
    )
    http = HttpSettings(
        host=_get(env, "LEADGATE_HOST", _host, "127.0.0.1"),
        port=_get(env, "LEADGATE_PORT", _port, 8000),
        public_url=env.get("LEADGATE_PUBLIC_URL") or None,
        metrics_token=env.get("LEADGATE_METRICS_TOKEN") or None,
        frame_ancestors=_get(
            env, "LEADGATE_FRAME_ANCESTORS", _origins, ("https://app.getbonzo.com",)
        ),
    )
    ingest = IngestSettings(
        max_json_bytes=_get(env, "LEADGATE_INGEST_MAX_JSON_BYTES", _positive_int, 10 * _MIB),
        max_json_lines_bytes=_get(
            env, "LEADGATE_INGEST_MAX_JSON_LINES_BYTES", _positive_int, 100 * _MIB
        ),
        max_csv_bytes=_get(env, "LEADGATE_INGEST_MAX_CSV_BYTES", _positive_int, 100 * _MIB),
        max_multipart_bytes=_get(
            env, "LEADGATE_INGEST_MAX_MULTIPART_BYTES", _positive_int, 100 * _MIB
        ),
        group_commit_max_bytes=_get(
            env, "LEADGATE_INGEST_GROUP_COMMIT_MAX_BYTES", _positive_int, 64 * 1024
        ),
        rate_per_s=_get(env, "LEADGATE_INGEST_RATE_PER_S", _positive_int, 100),
    )
    worker = WorkerSettings(
        poll_delay_s=_get(env, "LEADGATE_WORKER_POLL_DELAY", _positive_float, 0.05),
        max_jobs=_get(env, "LEADGATE_WORKER_MAX_JOBS", _positive_int, 50),
        delivery_lease_s=_get(env, "LEADGATE_DELIVERY_LEASE_S", _positive_float, 90.0),
    )
    session = _session_settings(env, http)
    log_level = _get(env, "LEADGATE_LOG_LEVEL", _log_level, "INFO")
    return Settings(
        data_dir=data_dir,
        database=database,
        redis=RedisSettings(url=redis_url),
        auth=auth,
        http=http,
        worker=worker,
        ingest=ingest,
        session=session,
        log_level=log_level,
    )


def _session_settings(env: Mapping[str, str], http: HttpSettings) -> SessionSettings:
    # Secure cookies by default; the one exception is the plain-http loopback URL of
    # `leadgate dev`, where a browser would never send a Secure cookie back.
    plain_http = http.base_url.startswith("http://")
    loopback_dev = plain_http and http.public_url is None and http.host in _LOOPBACK
    cookie_secure = _get(env, "LEADGATE_COOKIE_SECURE", _boolean, not loopback_dev)
    if not cookie_secure and not plain_http:
        raise SettingsError(
            "LEADGATE_COOKIE_SECURE: cannot be off when the gateway is reached over https"
        )
    idle = _get(env, "LEADGATE_SESSION_IDLE_TIMEOUT", _positive_int, 30 * 60)
    absolute = _get(env, "LEADGATE_SESSION_ABSOLUTE_TIMEOUT", _positive_int, 12 * 60 * 60)
    if idle > absolute:
        raise SettingsError(
            "LEADGATE_SESSION_IDLE_TIMEOUT: must not exceed LEADGATE_SESSION_ABSOLUTE_TIMEOUT"
        )
    return SessionSettings(
        cookie_secure=cookie_secure, idle_timeout_s=idle, absolute_timeout_s=absolute
    )


def _get(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 65535:
        raise ValueError(f"port must be 0-65535, got {raw!r}")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(f"must be a positive integer, got {raw!r}")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError(f"must be a positive number, got {raw!r}")
    return value


def _host(raw: str) -> str:
    if raw == "localhost":
        return raw
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        raise ValueError(f"expected an IP address or 'localhost', got {raw!r}") from None
    return raw


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(f"expected true or false, got {raw!r}")
    return value in _TRUE


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(raw.split())
    for origin in origins:
        if not origin.startswith("https://") or any(c in origin for c in ";,'\""):
            raise ValueError(f"expected space-separated https:// origins, got {origin!r}")
    return origins


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError(f"expected DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return level


def _identifier(name: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not raw.replace("_", "").isalnum() or not raw[0].isalpha():
            raise ValueError(f"expected letters, digits and underscores, got {raw!r}")
        return raw

    return parse


def _dev_secret_key(data_dir: Path) -> str:
    path = data_dir / "dev-secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
