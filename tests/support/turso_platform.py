"""A local stand-in for the Turso Platform API, following its documented shapes.

- ``POST /v1/organizations/{org}/databases`` with ``{"name", "group"}`` ->
  ``{"database": {"DbId", "Hostname", "Name"}}``; 409 if the name exists, 400 for a bad
  name (lowercase letters, digits, dashes, at most 64), 404 for an unknown group.
- ``POST /v1/organizations/{org}/databases/{db}/auth/tokens?expiration=..&authorization=..``
  -> ``{"jwt"}``.
- Errors are ``{"error": message}``; 401 without the platform Bearer token.

Each created database is a real ``HranaServer`` on its own port (``Hostname`` is
``127.0.0.1:<port>``), and the tokens minted for it are the ones it accepts.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.hrana_server import HranaServer

__all__ = ["TursoPlatformStandIn"]

_NAME = re.compile(r"^[a-z0-9-]{1,64}$")
_EXPIRATION = re.compile(r"^(never|(\d+[wdhms])+)$")
_CREATE = re.compile(r"^/v1/organizations/([^/]+)/databases$")
_TOKEN = re.compile(r"^/v1/organizations/([^/]+)/databases/([^/]+)/auth/tokens$")


class TursoPlatformStandIn:
    def __init__(self, root: Path, *, org: str, api_token: str, groups: set[str]) -> None:
        self.root = root
        self.org = org
        self.api_token = api_token
        self.groups = groups
        self.databases: dict[str, HranaServer] = {}
        self.token_requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True
        self._http.platform = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def __enter__(self) -> TursoPlatformStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()
        for database in self.databases.values():
            database.stop()

    def handle(
        self, path: str, query: dict[str, str], body: Any, auth: str | None
    ) -> tuple[int, Any]:
        if auth != f"Bearer {self.api_token}":
            return 401, {"error": "invalid or expired auth token"}
        if match := _CREATE.match(path):
            if match[1] != self.org:
                return 404, {"error": "organization not found"}
            return self._create(body)
        if match := _TOKEN.match(path):
            if match[1] != self.org:
                return 404, {"error": "organization not found"}
            return self._mint(match[2], query)
        return 404, {"error": f"no route {path}"}

    def _create(self, body: Any) -> tuple[int, Any]:
        name, group = body.get("name", ""), body.get("group", "")
        if not _NAME.match(name):
            return 400, {"error": "invalid database name"}
        if group not in self.groups:
            return 404, {"error": f"group {group} not found"}
        with self._lock:
            if name in self.databases:
                return 409, {"error": f"database {name} already exists"}
            server = HranaServer(self.root / f"{name}.db").start()
            self.databases[name] = server
        return 200, {
            "database": {"DbId": str(uuid.uuid4()), "Hostname": server.hostname, "Name": name}
        }

    def _mint(self, name: str, query: dict[str, str]) -> tuple[int, Any]:
        database = self.databases.get(name)
        if database is None:
            return 404, {"error": f"database {name} not found"}
        expiration = query.get("expiration", "never")
        authorization = query.get("authorization", "full-access")
        if not _EXPIRATION.match(expiration) or authorization not in ("full-access", "read-only"):
            return 400, {"error": "invalid expiration or authorization"}
        self.token_requests.append({"database": name, **query})
        token = "eyJ" + secrets.token_urlsafe(32)
        database.tokens.add(token)
        return 200, {"jwt": token}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        platform: TursoPlatformStandIn = self.server.platform  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.loads(raw) if raw else {}
        status, payload = platform.handle(
            parts.path, query, body, self.headers.get("Authorization")
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on the stand-in's recorded state instead."""
