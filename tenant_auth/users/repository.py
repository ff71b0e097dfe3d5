"""user_account and oauth_identity rows. Write functions build statements for the
caller's batch; read functions run on the given database."""

from __future__ import annotations

from datetime import datetime

from tenant_auth.core.clock import from_db_time, to_db_time
from tenant_auth.core.libsql import (
    LibsqlDatabase,
    Row,
    Statement,
    row_int,
    row_opt_str,
    row_str,
)
from tenant_auth.core.sqlfiles import load_queries
from tenant_auth.users.schemas import Role, User

__all__ = [
    "count_identities_at_issuer",
    "deactivate_user",
    "get_identity_user_id",
    "get_user_by_email",
    "get_user_by_id",
    "insert_identity",
    "insert_user",
    "list_users",
    "record_sign_in",
]

_SQL = load_queries(__package__)


def insert_user(
    *, user_id: str, email: str, name: str | None, role: Role, now: datetime
) -> Statement:
    return Statement(
        _SQL["insert_user"],
        {"id": user_id, "email": email, "name": name, "role": role.value, "now": to_db_time(now)},
    )


def deactivate_user(*, email: str, now: datetime) -> Statement:
    return Statement(_SQL["deactivate_user"], {"email": email, "now": to_db_time(now)})


def record_sign_in(*, user_id: str, now: datetime) -> Statement:
    return Statement(_SQL["record_sign_in"], {"id": user_id, "now": to_db_time(now)})


def insert_identity(*, issuer: str, subject: str, user_id: str, now: datetime) -> Statement:
    return Statement(
        _SQL["insert_identity"],
        {"issuer": issuer, "subject": subject, "user_id": user_id, "now": to_db_time(now)},
    )


async def list_users(db: LibsqlDatabase) -> list[User]:
    result = await db.read(Statement(_SQL["list_users"]))
    return [_user(row) for row in result.rows]


async def get_user_by_id(db: LibsqlDatabase, *, user_id: str) -> User | None:
    result = await db.read(Statement(_SQL["get_user_by_id"], {"id": user_id}))
    return _user(result.rows[0]) if result.rows else None


async def get_user_by_email(db: LibsqlDatabase, *, email: str) -> User | None:
    result = await db.read(Statement(_SQL["get_user_by_email"], {"email": email}))
    return _user(result.rows[0]) if result.rows else None


async def get_identity_user_id(db: LibsqlDatabase, *, issuer: str, subject: str) -> str | None:
    result = await db.read(
        Statement(_SQL["get_identity_user_id"], {"issuer": issuer, "subject": subject})
    )
    return row_str(result.rows[0], "user_id") if result.rows else None


async def count_identities_at_issuer(db: LibsqlDatabase, *, user_id: str, issuer: str) -> int:
    result = await db.read(
        Statement(_SQL["count_identities_at_issuer"], {"user_id": user_id, "issuer": issuer})
    )
    return row_int(result.rows[0], "found")


def _user(row: Row) -> User:
    last_sign_in_at = row_opt_str(row, "last_sign_in_at")
    return User(
        id=row_str(row, "id"),
        email=row_str(row, "email"),
        name=row_opt_str(row, "name"),
        role=Role(row_str(row, "role")),
        active=bool(row_int(row, "active")),
        created_at=from_db_time(row_str(row, "created_at")),
        last_sign_in_at=None if last_sign_in_at is None else from_db_time(last_sign_in_at),
    )
