"""One libSQL database, local (``file:``) or remote, through libsql-client.

libsql-client's ``file:`` mode opens a new sqlite3 connection per call with no busy
timeout, so a write that meets another writer (another task's batch, another process)
fails at once with ``SQLITE_BUSY: database is locked``. This wrapper:

- serializes writes to one file within a process (one ``asyncio.Lock`` per file and event
  loop), so tasks queue instead of colliding;
- makes processes take turns writing (``tenant_auth.core.writer_turn``), so a process
  with a backlog cannot starve another;
- retries ``SQLITE_BUSY``/``SQLITE_LOCKED`` with short jittered backoff until a deadline,
  for whatever else locks the file (a reader during WAL recovery, a sqlite3 shell). A
  retried statement or batch is safe: a failed batch rolls back (its connection closes
  without ``COMMIT``);
- turns on WAL when it opens a file, so readers never block the writer and vice versa.

Remote databases (``libsql://host`` is opened as ``https://host``; ``http(s)://`` as
given) go through libsql-client's HTTP client ("Hrana over HTTP"). It has no interactive
transactions, so nothing in tenant_auth uses them: multi-statement writes are batches,
which both transports run as one transaction.

The file transport runs sqlite3 synchronously on the event loop; statements here are
small point reads and writes, and waiting between retries happens off the loop.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
import urllib.parse
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import libsql_client

from tenant_auth.core.errors import InvalidInput, StorageError
from tenant_auth.core.writer_turn import WriterTurn

__all__ = [
    "BusyRetry",
    "LibsqlDatabase",
    "Result",
    "Row",
    "Statement",
    "Value",
    "row_int",
    "row_opt_str",
    "row_str",
]

Value = None | str | int | float | bytes
Row = dict[str, Value]
T = TypeVar("T")

_BUSY_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")


@dataclass(frozen=True, slots=True)
class Statement:
    """SQL with named parameters (``:name`` in the SQL, ``name`` in ``params``)."""

    sql: str
    params: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    rows: list[Row]
    rows_affected: int


@dataclass(frozen=True, slots=True)
class BusyRetry:
    """How long a statement waits for its turn, or retries while the file is locked."""

    deadline_s: float = 5.0
    first_delay_s: float = 0.0005
    max_delay_s: float = 0.002
    """Polls are cheap (a non-blocking flock, or opening a connection); short sleeps keep
    the hand-over between processes quick."""


# event loop -> file path -> lock. Weak both ways: a lock lives while a handle on its
# file does, and a closed loop's locks go with it (asyncio locks are bound to one loop).
_write_locks: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakValueDictionary[str, asyncio.Lock]
] = weakref.WeakKeyDictionary()


class LibsqlDatabase:
    """A handle on one libSQL database. Open with ``await LibsqlDatabase.open(url)``;
    close with ``await db.close()`` (or ``async with``).

    ``busy_retries`` counts waits for another writer (turns and retries; observability for
    the concurrency figures and tests).
    """

    def __init__(
        self,
        client: Any,
        *,
        url: str,
        write_lock: asyncio.Lock | None,
        writer_turn: WriterTurn | None,
        retry: BusyRetry,
        remote_timeout_s: float,
    ) -> None:
        self._client = client
        self._url = url
        self._write_lock = write_lock
        self._writer_turn = writer_turn
        self._retry = retry
        self._remote_timeout_s = remote_timeout_s
        self.busy_retries = 0

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        auth_token: str | None = None,
        retry: BusyRetry | None = None,
        remote_timeout_s: float = 10.0,
    ) -> LibsqlDatabase:
        """Open ``url``: ``file:/abs/path.db`` (created with its directory if missing),
        ``libsql://host`` (HTTPS; ``?tls=0`` for plain HTTP), ``https://host`` or
        ``http://host:port``. The token travels separately, never in the URL.

        Raises ``InvalidInput`` for an unsupported URL, ``StorageError`` if it cannot be
        opened.
        """
        client_url, local_path = _client_url(url)
        try:
            client = libsql_client.create_client(client_url, auth_token=auth_token)
        except libsql_client.LibsqlError as exc:
            raise StorageError(exc.explanation, code=exc.code) from None
        except sqlite3.Error as exc:
            raise _sqlite_error(exc) from None
        retry = retry or BusyRetry()
        write_lock = writer_turn = None
        if local_path is not None:
            writer_turn = WriterTurn(
                local_path, first_delay_s=retry.first_delay_s, max_delay_s=retry.max_delay_s
            )
            locks = _write_locks.setdefault(
                asyncio.get_running_loop(), weakref.WeakValueDictionary()
            )
            write_lock = locks.get(local_path)
            if write_lock is None:
                write_lock = locks[local_path] = asyncio.Lock()
        db = cls(
            client,
            url=url,
            write_lock=write_lock,
            writer_turn=writer_turn,
            retry=retry,
            remote_timeout_s=remote_timeout_s,
        )
        if local_path is not None:
            try:
                # Persistent in the file; a no-op once set.
                await db.write(Statement("PRAGMA journal_mode=WAL"))
            except BaseException:
                await db.close()
                raise
        return db

    @property
    def url(self) -> str:
        """The URL as given (it never carries the token)."""
        return self._url

    async def read(self, statement: Statement) -> Result:
        deadline = time.monotonic() + self._retry.deadline_s
        return await self._retrying(lambda: self._execute(statement), deadline)

    async def write(self, *statements: Statement) -> list[Result]:
        """Run one statement, or several as one transaction (all or nothing).

        Statements in a batch see each other's effects (``changes()``,
        ``last_insert_rowid()``), which lets an audit row be written only if the change
        it records happened.
        """
        if not statements:
            return []
        if self._write_lock is None or self._writer_turn is None:
            deadline = time.monotonic() + self._retry.deadline_s
            return await self._retrying(lambda: self._write_now(statements), deadline)
        async with self._write_lock:
            # The deadline bounds waiting for other processes, not this process's own
            # queue of writers ahead of us.
            deadline = time.monotonic() + self._retry.deadline_s
            async with self._writer_turn.hold(deadline=deadline, on_wait=self._count_wait):
                return await self._retrying(lambda: self._write_now(statements), deadline)

    async def close(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> LibsqlDatabase:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"LibsqlDatabase({self._url!r})"

    async def _write_now(self, statements: tuple[Statement, ...]) -> list[Result]:
        if len(statements) == 1:
            return [await self._execute(statements[0])]
        batch = [(s.sql, _client_params(s.params)) for s in statements]
        result_sets = await self._call(lambda: self._client.batch(batch))
        return [_result(rs) for rs in result_sets]

    async def _execute(self, statement: Statement) -> Result:
        params = _client_params(statement.params)
        result_set = await self._call(lambda: self._client.execute(statement.sql, params))
        return _result(result_set)

    async def _call(self, make: Callable[[], Awaitable[Any]]) -> Any:
        try:
            if self._write_lock is not None:
                return await make()
            async with asyncio.timeout(self._remote_timeout_s):
                return await make()
        except libsql_client.LibsqlError as exc:
            raise StorageError(exc.explanation, code=exc.code) from None
        except sqlite3.Error as exc:
            # The file transport opens its connection outside its own error mapping.
            raise _sqlite_error(exc) from None
        except TimeoutError:
            raise StorageError(
                f"no answer within {self._remote_timeout_s:g} s", code="TIMEOUT"
            ) from None
        except OSError as exc:
            raise StorageError(str(exc), code="NETWORK") from None

    def _count_wait(self) -> None:
        self.busy_retries += 1

    async def _retrying(self, attempt: Callable[[], Awaitable[T]], deadline: float) -> T:
        delay = self._retry.first_delay_s
        while True:
            try:
                return await attempt()
            except StorageError as exc:
                if not exc.code.startswith(_BUSY_CODES) or time.monotonic() >= deadline:
                    raise
            self.busy_retries += 1
            # Jitter keeps two processes that collided once from colliding in lockstep.
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - not security
            delay = min(delay * 2, self._retry.max_delay_s)


def _client_url(url: str) -> tuple[str, str | None]:
    """libsql-client URL for ``url``, and the file path when it is a local database."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    if "authToken" in query:
        raise InvalidInput("database URLs must not carry a token; it is stored separately")
    if parts.scheme == "file":
        if parts.query or parts.fragment or parts.netloc not in ("", "localhost"):
            raise InvalidInput(f"unsupported file: database URL {url!r}")
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"file:{path}", str(path.resolve())
    if parts.scheme == "libsql":
        tls = query.pop("tls", ["1"])
        if query or parts.fragment or tls not in (["0"], ["1"]) or not parts.netloc:
            raise InvalidInput(f"unsupported libsql: database URL {url!r}")
        scheme = "http" if tls == ["0"] else "https"
        return urllib.parse.urlunsplit((scheme, parts.netloc, parts.path, "", "")), None
    if parts.scheme in ("http", "https"):
        if parts.query or parts.fragment or not parts.netloc:
            raise InvalidInput(f"unsupported {parts.scheme}: database URL {url!r}")
        return url, None
    raise InvalidInput(
        f"unsupported database URL scheme {parts.scheme!r}: use file:, libsql:, http: or https:"
    )


def _sqlite_error(exc: sqlite3.Error) -> StorageError:
    return StorageError(str(exc), code=getattr(exc, "sqlite_errorname", "SQLITE_ERROR"))


def _client_params(params: Mapping[str, Value]) -> dict[str, Value]:
    # The ':' prefix is what SQLite calls the parameter; the file transport strips it and
    # Hrana servers match it as written.
    return {f":{name}": value for name, value in params.items()}


def _result(result_set: Any) -> Result:
    return Result(
        rows=[row.asdict() for row in result_set.rows],
        rows_affected=result_set.rows_affected,
    )


def row_str(row: Row, column: str) -> str:
    value = row[column]
    if not isinstance(value, str):
        raise StorageError(f"column {column!r} holds {type(value).__name__}", code="TYPE")
    return value


def row_opt_str(row: Row, column: str) -> str | None:
    return None if row[column] is None else row_str(row, column)


def row_int(row: Row, column: str) -> int:
    value = row[column]
    if not isinstance(value, int):
        raise StorageError(f"column {column!r} holds {type(value).__name__}", code="TYPE")
    return value
