"""A local Hrana-over-HTTP server (sqld's "HTTP API v1") backed by sqlite3.

It stands in for a remote libSQL database (sqld, Turso) so that libsql-client's
``http://`` transport is exercised for real: Bearer token check, ``POST /v1/execute``
(``{"stmt": Stmt}`` -> ``{"result": StmtResult}``), ``POST /v1/batch``
(``{"batch": {"steps": [...]}}`` -> ``{"result": {"step_results", "step_errors"}}``)
with step conditions, Hrana value encoding, and errors as ``{"message", "code"}`` with a
4xx status. Each request runs as a fresh stream: a transaction left open is rolled back.
Statements run one at a time, like sqld's single writer.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["HranaServer"]

Json = dict[str, Any]


class HranaServer:
    def __init__(self, path: Path, *, tokens: Iterable[str] = ()) -> None:
        self.path = path
        self.tokens = set(tokens)
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True
        self._http.hrana = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def hostname(self) -> str:
        return f"127.0.0.1:{self._http.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.hostname}"

    def start(self) -> HranaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()
        self._conn.close()

    def __enter__(self) -> HranaServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def authorized(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        return scheme.lower() == "bearer" and token in self.tokens

    def execute(self, stmt: Json) -> Json:
        with self._lock:
            try:
                return _execute(self._conn, stmt)
            finally:
                self._end_stream()

    def batch(self, steps: list[Json]) -> Json:
        with self._lock:
            try:
                return _run_batch(self._conn, steps)
            finally:
                self._end_stream()

    def _end_stream(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def do_POST(self) -> None:
        hrana: HranaServer = self.server.hrana  # type: ignore[attr-defined]
        hrana.requests.append(self.path)
        if not hrana.authorized(self.headers.get("Authorization")):
            self._reply(
                401, {"message": "Unauthorized: bad or missing token", "code": "UNAUTHORIZED"}
            )
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if self.path == "/v1/execute":
            try:
                self._reply(200, {"result": hrana.execute(body["stmt"])})
            except sqlite3.Error as exc:
                self._reply(400, _error(exc))
        elif self.path == "/v1/batch":
            self._reply(200, {"result": hrana.batch(body["batch"]["steps"])})
        else:
            self._reply(404, {"message": f"no route {self.path}", "code": "NOT_FOUND"})

    def _reply(self, status: int, payload: Json) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on ``HranaServer.requests`` instead."""


def _execute(conn: sqlite3.Connection, stmt: Json) -> Json:
    args = [_from_value(v) for v in stmt.get("args", [])]
    named = {_strip(a["name"]): _from_value(a["value"]) for a in stmt.get("named_args", [])}
    cursor = conn.execute(stmt["sql"], named or args)
    try:
        rows = cursor.fetchall() if stmt.get("want_rows", True) else []
        return {
            "cols": [{"name": d[0], "decltype": None} for d in cursor.description or ()],
            "rows": [[_to_value(v) for v in row] for row in rows],
            "affected_row_count": max(cursor.rowcount, 0),
            "last_insert_rowid": None if cursor.lastrowid is None else str(cursor.lastrowid),
        }
    finally:
        cursor.close()


def _run_batch(conn: sqlite3.Connection, steps: list[Json]) -> Json:
    outcomes: list[bool | None] = []  # True ok, False error, None not executed
    results: list[Json | None] = []
    errors: list[Json | None] = []
    for step in steps:
        condition = step.get("condition")
        if condition is not None and not _holds(condition, outcomes):
            outcomes.append(None)
            results.append(None)
            errors.append(None)
            continue
        try:
            results.append(_execute(conn, step["stmt"]))
            errors.append(None)
            outcomes.append(True)
        except sqlite3.Error as exc:
            results.append(None)
            errors.append(_error(exc))
            outcomes.append(False)
    return {"step_results": results, "step_errors": errors}


def _holds(condition: Json, outcomes: list[bool | None]) -> bool:
    kind = condition["type"]
    if kind == "ok":
        return outcomes[condition["step"]] is True
    if kind == "error":
        return outcomes[condition["step"]] is False
    if kind == "not":
        return not _holds(condition["cond"], outcomes)
    if kind == "and":
        return all(_holds(c, outcomes) for c in condition["conds"])
    if kind == "or":
        return any(_holds(c, outcomes) for c in condition["conds"])
    raise ValueError(f"unknown batch condition {kind!r}")


def _strip(name: str) -> str:
    return name[1:] if name[:1] in (":", "@", "$") else name


def _from_value(value: Json) -> Any:
    kind = value["type"]
    if kind == "null":
        return None
    if kind == "integer":
        return int(value["value"])
    if kind == "float":
        return float(value["value"])
    if kind == "text":
        return value["value"]
    if kind == "blob":
        return base64.b64decode(value["base64"])
    raise ValueError(f"unknown value type {kind!r}")


def _to_value(value: Any) -> Json:
    if value is None:
        return {"type": "null"}
    if isinstance(value, int):
        return {"type": "integer", "value": str(value)}
    if isinstance(value, float):
        return {"type": "float", "value": value}
    if isinstance(value, str):
        return {"type": "text", "value": value}
    return {"type": "blob", "base64": base64.b64encode(value).decode()}


def _error(exc: sqlite3.Error) -> Json:
    return {"message": str(exc), "code": getattr(exc, "sqlite_errorname", "SQLITE_ERROR")}
