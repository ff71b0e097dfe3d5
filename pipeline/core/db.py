"""PostgreSQL access for the app role: one pool per process, one transaction per unit of
work, the tenant set inside that transaction.

``tenant_transaction`` is the only way application code should touch tenant tables: it
sets ``app.tenant_id`` with ``set_config(..., true)``, which PostgreSQL discards at commit or
rollback, so a pooled connection never carries one tenant's scope into the next checkout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

__all__ = [
    "Connection",
    "open_pool",
    "system_transaction",
    "tenant_transaction",
    "tenant_transaction_sync",
]

Connection = psycopg.AsyncConnection[Any]


async def open_pool(
    conninfo: str, *, min_size: int = 1, max_size: int = 10, timeout_s: float = 10.0
) -> AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]]:
    """Open a pool and wait until ``min_size`` connections work, or raise
    ``psycopg_pool.PoolTimeout`` after ``timeout_s``."""
    pool: AsyncConnectionPool[psycopg.AsyncConnection[TupleRow]] = AsyncConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        open=False,
        timeout=timeout_s,
        name="leadgate",
    )
    await pool.open(wait=True, timeout=timeout_s)
    return pool


@asynccontextmanager
async def tenant_transaction(
    pool: AsyncConnectionPool[Any], tenant_id: UUID
) -> AsyncIterator[Connection]:
    """A connection inside a transaction scoped to ``tenant_id``; commits on normal exit,
    rolls back on an exception."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        yield conn


@asynccontextmanager
async def system_transaction(pool: AsyncConnectionPool[Any]) -> AsyncIterator[Connection]:
    """A transaction with no tenant set: tenant tables read as empty. For calls to the
    narrow SECURITY DEFINER functions that work across tenants."""
    async with pool.connection() as conn, conn.transaction():
        yield conn


@contextmanager
def tenant_transaction_sync(
    conn: psycopg.Connection[Any], tenant_id: UUID
) -> Iterator[psycopg.Connection[Any]]:
    """The blocking twin of ``tenant_transaction`` for CPU-bound bulk work that runs in a
    thread or a CLI process, off the event loop."""
    with conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        yield conn
