"""LibsqlDatabase over libsql-client's transports: http:// against a local Hrana server
(URL and Bearer token handling, batches as transactions, migrations over the wire), and
errors from either transport mapped to StorageError."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tenant_auth.core.errors import InvalidInput, StorageError
from tenant_auth.core.libsql import LibsqlDatabase, Statement
from tenant_auth.migrations.runner import TENANT_MIGRATIONS, current_version, migrate
from tests.support.hrana_server import HranaServer


async def test_remote_database_round_trips_values_with_its_token(hrana: HranaServer) -> None:
    async with await LibsqlDatabase.open(hrana.url, auth_token="remote-token-1") as db:
        await db.write(Statement("CREATE TABLE t (i INTEGER, f REAL, s TEXT, b BLOB, n TEXT)"))
        await db.write(
            Statement(
                "INSERT INTO t VALUES (:i, :f, :s, :b, :n)",
                {"i": 2**62, "f": 1.5, "s": "héllo", "b": b"\x00\xff", "n": None},
            )
        )
        result = await db.read(Statement("SELECT * FROM t"))
    assert result.rows == [{"i": 2**62, "f": 1.5, "s": "héllo", "b": b"\x00\xff", "n": None}]
    assert hrana.requests.count("/v1/execute") == 3


async def test_remote_database_refuses_a_wrong_token(hrana: HranaServer) -> None:
    async with await LibsqlDatabase.open(hrana.url, auth_token="not-the-token") as db:
        with pytest.raises(StorageError) as raised:
            await db.read(Statement("SELECT 1"))
    assert raised.value.code == "UNAUTHORIZED"
    assert "not-the-token" not in str(raised.value)


async def test_remote_batch_is_all_or_nothing(hrana: HranaServer) -> None:
    async with await LibsqlDatabase.open(hrana.url, auth_token="remote-token-1") as db:
        await db.write(Statement("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
        with pytest.raises(StorageError) as raised:
            await db.write(
                Statement("INSERT INTO t VALUES (1)"),
                Statement("INSERT INTO t VALUES (1)"),
            )
        assert raised.value.code.startswith("SQLITE_CONSTRAINT")
        assert (await db.read(Statement("SELECT count(*) AS n FROM t"))).rows == [{"n": 0}]
    assert "/v1/batch" in hrana.requests


async def test_libsql_url_with_tls_off_reaches_the_server_over_http(hrana: HranaServer) -> None:
    async with await LibsqlDatabase.open(
        f"libsql://{hrana.hostname}?tls=0", auth_token="remote-token-1"
    ) as db:
        assert (await db.read(Statement("SELECT 41 + 1 AS answer"))).rows == [{"answer": 42}]


async def test_migrations_apply_once_over_http(hrana: HranaServer) -> None:
    async with await LibsqlDatabase.open(hrana.url, auth_token="remote-token-1") as db:
        assert [m.label for m in await migrate(db, TENANT_MIGRATIONS)] == [
            m.label for m in TENANT_MIGRATIONS
        ]
        assert await migrate(db, TENANT_MIGRATIONS) == []
        assert await current_version(db) == TENANT_MIGRATIONS[-1].version


async def test_token_in_the_url_is_refused() -> None:
    with pytest.raises(InvalidInput):
        await LibsqlDatabase.open("https://db.example.com?authToken=abc")


async def test_unreachable_remote_database_is_a_storage_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    async with await LibsqlDatabase.open(f"http://127.0.0.1:{port}", auth_token="t") as db:
        with pytest.raises(StorageError) as raised:
            await db.read(Statement("SELECT 1"))
    assert raised.value.code == "NETWORK"


async def test_file_that_cannot_be_opened_is_a_storage_error(tmp_path: Path) -> None:
    directory = tmp_path / "a-directory.db"
    directory.mkdir()
    with pytest.raises(StorageError) as raised:
        await LibsqlDatabase.open(f"file:{directory}")
    assert raised.value.code.startswith("SQLITE_CANTOPEN")
