"""What the benchmarks share: real PostgreSQL and Redis (the machine's when present, else
embedded), a throwaway migrated database, and ``leadgate`` child processes.

``LEADGATE_BENCH_POSTGRES=embedded`` takes the embedded PostgreSQL (the wheel's server, a
newer major version than most distributions ship) even when the machine has one, to
compare the two in one sitting."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.core.migrate import ensure_database, migrate  # noqa: E402
from pipeline.core.settings import DatabaseSettings  # noqa: E402

SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnop"  # noqa: S105 - throwaway bench database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


@contextmanager
def services(scratch: Path, *, name: str, redis_db: int) -> Iterator[tuple[DatabaseSettings, str]]:
    """A migrated database ``name`` (dropped afterwards) and an emptied Redis database:
    jobs left by an earlier run name batches of a dropped database."""
    with ExitStack() as stack:
        if os.environ.get("LEADGATE_BENCH_POSTGRES") != "embedded" and reachable(5432):
            server = DatabaseSettings(
                host="127.0.0.1",
                dbname="postgres",
                owner_user=os.environ.get("PGUSER", "postgres"),
                app_user="leadgate_bench_app",
            )
        else:
            from gateway.runtime.embedded import start_embedded_postgres

            pg = start_embedded_postgres(
                scratch / "pg",
                DatabaseSettings(host=None, dbname="postgres", app_user="leadgate_bench_app"),
            )
            stack.callback(pg.stop)
            server = pg.database
        if reachable(6379):
            redis_url = f"redis://127.0.0.1:6379/{redis_db}"
            flush = redis.Redis.from_url(redis_url).flushdb
            flush()
            stack.callback(flush)
        else:
            from gateway.runtime.embedded import start_embedded_redis

            embedded = start_embedded_redis(scratch / "redis")
            stack.callback(embedded.stop)
            redis_url = embedded.url
        dbname = f"{name}_{os.getpid()}"
        asyncio.run(ensure_database(server.owner_conninfo(dbname="postgres"), dbname))
        database = DatabaseSettings(
            host=server.host,
            port=server.port,
            dbname=dbname,
            owner_user=server.owner_user,
            app_user=server.app_user,
        )
        asyncio.run(
            migrate(database.owner_conninfo(), app_user=database.app_user, app_password=None)
        )

        def drop() -> None:
            with psycopg.connect(server.owner_conninfo(dbname="postgres"), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(dbname)
                    )
                )

        stack.callback(drop)
        yield database, redis_url


def child_env(database: DatabaseSettings, redis_url: str, scratch: Path) -> dict[str, str]:
    """The environment of a ``leadgate`` child process aimed at the bench services."""
    return {
        **os.environ,
        "PGHOST": str(database.host),
        "PGPORT": str(database.port),
        "PGDATABASE": database.dbname,
        "PGUSER": database.owner_user or "postgres",
        "LEADGATE_APP_PGUSER": database.app_user,
        "REDIS_URL": redis_url,
        "LEADGATE_SECRET_KEY": SECRET_KEY,
        "LEADGATE_DATA_DIR": str(scratch),
        "LEADGATE_LOG_LEVEL": "WARNING",
        "LEADGATE_WORKER_POLL_DELAY": "0.01",
    }


def leadgate(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from gateway.cli import main; main()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def owner(
    database: DatabaseSettings, query: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.owner_conninfo(), autocommit=True) as conn:
        cur = conn.execute(query.encode(), params or [])
        return cur.fetchall() if cur.description else []


def wait_http(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
