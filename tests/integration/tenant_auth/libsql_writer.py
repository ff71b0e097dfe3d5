"""Subprocess for the two-process concurrency test: appends audit events to one tenant
database from many asyncio tasks at once, through tenant_auth's public functions.

Usage: python libsql_writer.py URL LABEL TASKS WRITES_PER_TASK
Prints "ready", waits for a line on stdin (so both processes start writing together),
then prints the number of busy retries it needed.
"""

from __future__ import annotations

import asyncio
import sys

from tenant_auth.audit.schemas import AuditAction
from tenant_auth.audit.service import record_event
from tenant_auth.core.libsql import LibsqlDatabase


async def main(url: str, label: str, tasks: int, writes: int) -> None:
    async with await LibsqlDatabase.open(url) as db:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)

        async def writer(task: int) -> None:
            for n in range(writes):
                await record_event(db, AuditAction.EXPORT, actor=label, target=f"{task}:{n}")

        await asyncio.gather(*(writer(task) for task in range(tasks)))
        print(db.busy_retries, flush=True)


if __name__ == "__main__":
    url, label, tasks, writes = sys.argv[1:]
    asyncio.run(main(url, label, int(tasks), int(writes)))
