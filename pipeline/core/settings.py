"""Settings the domain needs: where PostgreSQL and Redis are, and how the worker behaves.

Built once at startup by ``gateway.settings.load_settings`` (which reads the environment);
nothing here reads the environment itself, so tests build these structs directly.
"""

from __future__ import annotations

from pipeline.core.structs import Frozen

__all__ = ["DatabaseSettings", "RedisSettings", "WorkerSettings"]


class DatabaseSettings(Frozen):
    """Two identities on one database: the owner runs migrations, the app role runs
    everything else and is subject to row-level security."""

    host: str | None
    """``None`` means the embedded PostgreSQL under the data directory."""
    port: int = 5432
    dbname: str = "leadgate"
    owner_user: str | None = None
    owner_password: str | None = None
    app_user: str = "leadgate_app_user"
    app_password: str | None = None
    pool_min_size: int = 1
    pool_max_size: int = 10

    def owner_conninfo(self, *, dbname: str | None = None) -> str:
        return _conninfo(
            self.host, self.port, dbname or self.dbname, self.owner_user, self.owner_password
        )

    def app_conninfo(self, *, dbname: str | None = None) -> str:
        return _conninfo(
            self.host, self.port, dbname or self.dbname, self.app_user, self.app_password
        )


def _conninfo(
    host: str | None, port: int, dbname: str, user: str | None, password: str | None
) -> str:
    from psycopg.conninfo import make_conninfo

    params: dict[str, str | int] = {"dbname": dbname, "port": port, "application_name": "leadgate"}
    if host is not None:
        params["host"] = host
    if user is not None:
        params["user"] = user
    if password is not None:
        params["password"] = password
    return make_conninfo("", **params)


class RedisSettings(Frozen):
    url: str | None
    """``None`` means the embedded Redis under the data directory."""


class WorkerSettings(Frozen):
    poll_delay_s: float = 0.05
    """How long an idle arq worker sleeps between queue polls. arq's default (0.5 s) alone
    would eat half of the 1 s speed-to-lead budget."""
    max_jobs: int = 50
    job_timeout_s: float = 120.0
    delivery_lease_s: float = 90.0
    """How long a claimed delivery stays with its worker; after a crash, the lead waits
    this long before another worker takes it. Must exceed the HTTP timeout."""
