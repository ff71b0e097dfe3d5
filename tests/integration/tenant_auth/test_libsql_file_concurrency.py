"""libsql-client's file: transport gives up at once on a locked database; LibsqlDatabase
serializes writes per file and retries, so concurrent writers all succeed."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import libsql_client
import pytest

from tenant_auth.audit.schemas import AuditAction
from tenant_auth.audit.service import list_events, record_event
from tenant_auth.core.errors import StorageError
from tenant_auth.core.libsql import BusyRetry, LibsqlDatabase, Statement
from tenant_auth.migrations.runner import TENANT_MIGRATIONS, migrate

WRITER = Path(__file__).with_name("libsql_writer.py")


@pytest.fixture
async def audit_db(tmp_path: Path) -> AsyncIterator[LibsqlDatabase]:
    async with await LibsqlDatabase.open(f"file:{tmp_path / 'tenant.db'}") as db:
        await migrate(db, TENANT_MIGRATIONS)
        yield db


async def test_raw_libsql_client_fails_at_once_on_a_locked_file(tmp_path: Path) -> None:
    path = tmp_path / "raw.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    client = libsql_client.create_client(f"file:{path}")
    try:
        with pytest.raises(libsql_client.LibsqlError) as raised:
            await client.execute("INSERT INTO t VALUES (1)")
        assert raised.value.code == "SQLITE_BUSY"
    finally:
        await client.close()
        holder.close()


async def test_write_waits_for_another_writers_lock_then_succeeds(
    audit_db: LibsqlDatabase, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "tenant.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    write = asyncio.create_task(record_event(audit_db, AuditAction.EXPORT, actor="cli"))
    # One turn of the loop: the task has hit the lock and is now backing off.
    await asyncio.sleep(0)
    assert not write.done()
    assert audit_db.busy_retries >= 1
    holder.execute("COMMIT")
    holder.close()
    await write
    assert len(await list_events(audit_db)) == 1


async def test_write_gives_up_with_busy_error_after_its_deadline(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    db = await LibsqlDatabase.open(f"file:{path}", retry=BusyRetry(deadline_s=0.0))
    await db.write(Statement("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError) as raised:
            await db.write(Statement("INSERT INTO t VALUES (1)"))
        assert raised.value.code == "SQLITE_BUSY"
    finally:
        holder.close()
        await db.close()


async def test_many_tasks_and_two_processes_write_one_file_without_losing_a_write(
    audit_db: LibsqlDatabase, tmp_path: Path
) -> None:
    tasks, writes = 20, 15
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WRITER),
            audit_db.url,
            label,
            str(tasks),
            str(writes),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for label in ("process-a", "process-b")
    ]
    for process in processes:
        assert process.stdout is not None
        assert await process.stdout.readline() == b"ready\n"

    async def writer(task: int) -> None:
        for n in range(writes):
            await record_event(
                audit_db, AuditAction.EXPORT, actor="test-process", target=f"{task}:{n}"
            )

    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    await asyncio.gather(*(writer(task) for task in range(tasks)))
    outputs = [await process.communicate() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs

    events = await list_events(audit_db, limit=10_000)
    per_actor = {
        actor: sum(e.actor == actor for e in events) for actor in {e.actor for e in events}
    }
    assert per_actor == {
        "process-a": tasks * writes,
        "process-b": tasks * writes,
        "test-process": tasks * writes,
    }
