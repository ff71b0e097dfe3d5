"""api_key rows. Write functions build statements; reads run on the given database."""

from __future__ import annotations

from datetime import datetime

import msgspec

from tenant_auth.apikeys.schemas import ApiKey, ApiScope
from tenant_auth.core.clock import from_db_time, to_db_time
from tenant_auth.core.libsql import LibsqlDatabase, Row, Statement, row_opt_str, row_str
from tenant_auth.core.sqlfiles import load_queries
from tenant_auth.core.structs import Frozen

__all__ = [
    "StoredHash",
    "get_api_key",
    "get_api_key_with_hash",
    "insert_api_key",
    "list_api_keys",
    "revoke_api_key",
    "touch_api_key",
]

_SQL = load_queries(__package__)
_scopes_decoder = msgspec.json.Decoder(tuple[ApiScope, ...])


class StoredHash(Frozen):
    secret_hash: bytes
    hash_key_id: str


def insert_api_key(
    *,
    key_id: str,
    name: str,
    secret_hash: bytes,
    hash_key_id: str,
    scopes: tuple[ApiScope, ...],
    created_by: str,
    expires_at: datetime | None,
    now: datetime,
) -> Statement:
    return Statement(
        _SQL["insert_api_key"],
        {
            "id": key_id,
            "name": name,
            "secret_hash": secret_hash.hex(),
            "hash_key_id": hash_key_id,
            "scopes": msgspec.json.encode(scopes).decode(),
            "created_by": created_by,
            "expires_at": None if expires_at is None else to_db_time(expires_at),
            "now": to_db_time(now),
        },
    )


def revoke_api_key(*, key_id: str, now: datetime) -> Statement:
    return Statement(_SQL["revoke_api_key"], {"id": key_id, "now": to_db_time(now)})


def touch_api_key(*, key_id: str, now: datetime) -> Statement:
    return Statement(_SQL["touch_api_key"], {"id": key_id, "now": to_db_time(now)})


async def list_api_keys(db: LibsqlDatabase) -> list[ApiKey]:
    result = await db.read(Statement(_SQL["list_api_keys"]))
    return [_api_key(row) for row in result.rows]


async def get_api_key(db: LibsqlDatabase, *, key_id: str) -> ApiKey | None:
    result = await db.read(Statement(_SQL["get_api_key"], {"id": key_id}))
    return _api_key(result.rows[0]) if result.rows else None


async def get_api_key_with_hash(
    db: LibsqlDatabase, *, key_id: str
) -> tuple[ApiKey, StoredHash] | None:
    result = await db.read(Statement(_SQL["get_api_key_with_hash"], {"id": key_id}))
    if not result.rows:
        return None
    row = result.rows[0]
    stored = StoredHash(
        secret_hash=bytes.fromhex(row_str(row, "secret_hash")),
        hash_key_id=row_str(row, "hash_key_id"),
    )
    return _api_key(row), stored


def _api_key(row: Row) -> ApiKey:
    return ApiKey(
        id=row_str(row, "id"),
        name=row_str(row, "name"),
        scopes=_scopes_decoder.decode(row_str(row, "scopes")),
        created_by=row_str(row, "created_by"),
        created_at=from_db_time(row_str(row, "created_at")),
        expires_at=_opt_time(row_opt_str(row, "expires_at")),
        last_used_at=_opt_time(row_opt_str(row, "last_used_at")),
        revoked_at=_opt_time(row_opt_str(row, "revoked_at")),
    )


def _opt_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)
