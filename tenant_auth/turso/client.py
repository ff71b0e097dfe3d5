"""A small client for the Turso Platform API (https://api.turso.tech by default).

Only what leadgate needs: create a database in an existing group, and mint a
full-access token for it. Requests carry the platform API token as a Bearer header and
explicit timeouts; errors become ``TursoApiError`` with Turso's message (which never
contains our token).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any, Literal, TypeVar

import httpx
import msgspec

from tenant_auth.core.errors import InvalidInput, TursoApiError, TursoDatabaseExists
from tenant_auth.core.secretbox import Secret
from tenant_auth.core.structs import Frozen

__all__ = ["TursoDatabase", "TursoPlatform", "database_name_for"]

_NAME = re.compile(r"^[a-z0-9-]{1,64}$")
_HOSTNAME = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
_NAME_PREFIX = "leadgate-"
_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

T = TypeVar("T")


class TursoDatabase(Frozen):
    name: str
    db_id: str
    hostname: str


class _CreatedDatabase(msgspec.Struct):
    # Turso's casing; other fields of the response are ignored.
    DbId: str
    Hostname: str
    Name: str


class _CreateDatabaseResponse(msgspec.Struct):
    database: _CreatedDatabase


class _TokenResponse(msgspec.Struct):
    jwt: str


class _ErrorResponse(msgspec.Struct):
    error: str


def database_name_for(slug: str) -> str:
    """``leadgate-<slug>``, shortened with a hash suffix to stay within Turso's 64
    characters (lowercase letters, digits and dashes)."""
    name = f"{_NAME_PREFIX}{slug}"
    if len(name) > 64:
        digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
        name = f"{_NAME_PREFIX}{slug[:45]}-{digest}"
    if not _NAME.match(name):
        raise InvalidInput(f"cannot derive a Turso database name from slug {slug!r}")
    return name


class TursoPlatform:
    """Platform API calls for one organization and group.

    ``database_scheme`` is how created databases are reached: ``libsql`` (TLS) against
    Turso; a local stand-in without TLS uses ``http``.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_url: str,
        org: str,
        group: str,
        api_token: str,
        database_scheme: Literal["libsql", "http"] = "libsql",
    ) -> None:
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._org = org
        self.group = group
        self._api_token = Secret(api_token)
        self._database_scheme = database_scheme

    def __repr__(self) -> str:
        return f"TursoPlatform(api_url={self._api_url!r}, org={self._org!r}, group={self.group!r})"

    async def create_database(self, name: str) -> TursoDatabase:
        """Create database ``name`` in this platform's group.

        Raises ``TursoDatabaseExists`` (HTTP 409) or ``TursoApiError``.
        """
        if not _NAME.match(name):
            raise InvalidInput(
                f"Turso database names are 1-64 lowercase letters, digits and dashes: {name!r}"
            )
        response = await self._post(
            f"/v1/organizations/{self._org}/databases", json={"name": name, "group": self.group}
        )
        created = _decode(response, _CreateDatabaseResponse).database
        if not _HOSTNAME.match(created.Hostname):
            raise TursoApiError(
                f"unexpected hostname {created.Hostname!r}", status=response.status_code
            )
        return TursoDatabase(name=created.Name, db_id=created.DbId, hostname=created.Hostname)

    async def create_token(self, database: str, *, lifetime: timedelta) -> Secret:
        """Mint a full-access token for ``database`` that expires after ``lifetime``
        (whole minutes). Earlier tokens stay valid until their own expiry."""
        response = await self._post(
            f"/v1/organizations/{self._org}/databases/{database}/auth/tokens",
            params={"expiration": _expiration(lifetime), "authorization": "full-access"},
        )
        return Secret(_decode(response, _TokenResponse).jwt)

    def database_url(self, database: TursoDatabase) -> str:
        return f"{self._database_scheme}://{database.hostname}"

    async def _post(
        self, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            response = await self._http.post(
                self._api_url + path,
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {self._api_token.reveal()}"},
                timeout=_TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise TursoApiError(f"{type(exc).__name__}: {exc}", status=0) from None
        if response.status_code == 409:
            raise TursoDatabaseExists(_error_message(response), status=409)
        if response.status_code >= 400:
            raise TursoApiError(_error_message(response), status=response.status_code)
        return response


def _decode(response: httpx.Response, into: type[T]) -> T:
    try:
        return msgspec.json.decode(response.content, type=into)
    except msgspec.DecodeError as exc:
        raise TursoApiError(f"unexpected response: {exc}", status=response.status_code) from None


def _error_message(response: httpx.Response) -> str:
    try:
        return msgspec.json.decode(response.content, type=_ErrorResponse).error
    except msgspec.DecodeError:
        return response.text[:200] or response.reason_phrase


def _expiration(lifetime: timedelta) -> str:
    """Turso's duration syntax, e.g. ``30d`` or ``1d12h30m``."""
    minutes = int(lifetime.total_seconds()) // 60
    if minutes < 1:
        raise InvalidInput("token lifetime must be at least one minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    return "".join(f"{amount}{unit}" for amount, unit in parts if amount)
