"""SQLite access for the sandbox's optional store file (blocking; call from a thread).

Functions take the connection first and never commit: the caller owns the transaction.
Records are msgspec JSON, encoded by the caller on the event loop so that a prospect is
never read while a request changes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import msgspec

from gateway.bonzo_sandbox.store import Prospect, Webhook
from pipeline.core.queries import load_queries

__all__ = [
    "QUERIES",
    "create_schema",
    "delete_prospects",
    "load_prospects",
    "load_webhooks",
    "save_prospects",
    "save_webhooks",
]

QUERIES = load_queries("gateway.bonzo_sandbox")
_prospect_decoder = msgspec.json.Decoder(Prospect)
_webhook_decoder = msgspec.json.Decoder(Webhook)


def _sql(name: str) -> str:
    # The shared loader hands out bytes (psycopg's preference); sqlite3 wants str.
    return QUERIES[name].decode()


def create_schema(conn: sqlite3.Connection) -> None:
    conn.execute(_sql("create_prospects"))
    conn.execute(_sql("create_webhooks"))


def load_prospects(conn: sqlite3.Connection) -> list[Prospect]:
    return [_prospect_decoder.decode(row[0]) for row in conn.execute(_sql("select_prospects"))]


def load_webhooks(conn: sqlite3.Connection) -> list[Webhook]:
    return [_webhook_decoder.decode(row[0]) for row in conn.execute(_sql("select_webhooks"))]


def save_prospects(conn: sqlite3.Connection, records: Iterable[tuple[int, str]]) -> None:
    """Insert or replace ``(id, JSON record)`` rows."""
    conn.executemany(_sql("upsert_prospect"), records)


def save_webhooks(conn: sqlite3.Connection, records: Iterable[tuple[str, str]]) -> None:
    conn.executemany(_sql("upsert_webhook"), records)


def delete_prospects(conn: sqlite3.Connection) -> None:
    conn.execute(_sql("delete_prospects"))
