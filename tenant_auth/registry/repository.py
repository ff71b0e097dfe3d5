"""Registry rows, secrets still sealed. Write functions build statements; reads run."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from tenant_auth.core.clock import to_db_time
from tenant_auth.core.libsql import LibsqlDatabase, Row, Statement, row_int, row_opt_str, row_str
from tenant_auth.core.sqlfiles import load_queries
from tenant_auth.core.structs import Frozen

__all__ = [
    "SecurityEventRow",
    "TenantRow",
    "delete_key_owner",
    "get_tenant",
    "get_tenant_by_key_id",
    "insert_key_owner",
    "insert_security_event",
    "insert_tenant",
    "list_security_events",
    "list_tenants",
    "reseal_secrets",
    "set_database_token",
    "set_oidc",
    "set_status",
]

_SQL = load_queries(__package__)
_domains_decoder = msgspec.json.Decoder(tuple[str, ...])


class TenantRow(Frozen):
    slug: str
    tenant_id: UUID
    status: str
    database_url: str
    database_token: str | None
    database_token_expires_at: str | None
    turso_database: str | None
    oidc_issuer: str | None
    oidc_client_id: str | None
    oidc_client_secret: str | None
    oidc_allowed_domains: tuple[str, ...]
    created_at: str


class SecurityEventRow(Frozen):
    id: int
    occurred_at: str
    action: str
    reason: str
    detail: str


def insert_tenant(
    *,
    slug: str,
    tenant_id: UUID,
    database_url: str,
    database_token: str | None,
    database_token_expires_at: datetime | None,
    turso_database: str | None,
    now: datetime,
) -> Statement:
    return Statement(
        _SQL["insert_tenant"],
        {
            "slug": slug,
            "tenant_id": str(tenant_id),
            "database_url": database_url,
            "database_token": database_token,
            "database_token_expires_at": _opt_time(database_token_expires_at),
            "turso_database": turso_database,
            "now": to_db_time(now),
        },
    )


def set_oidc(
    *,
    slug: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: tuple[str, ...],
    now: datetime,
) -> Statement:
    return Statement(
        _SQL["set_oidc"],
        {
            "slug": slug,
            "issuer": issuer,
            "client_id": client_id,
            "client_secret": client_secret,
            "allowed_domains": msgspec.json.encode(allowed_domains).decode(),
            "now": to_db_time(now),
        },
    )


def set_status(*, slug: str, status: str, now: datetime) -> Statement:
    return Statement(_SQL["set_status"], {"slug": slug, "status": status, "now": to_db_time(now)})


def set_database_token(
    *, slug: str, token: str, expires_at: datetime, previous_token: str | None, now: datetime
) -> Statement:
    return Statement(
        _SQL["set_database_token"],
        {
            "slug": slug,
            "token": token,
            "expires_at": to_db_time(expires_at),
            "previous_token": previous_token,
            "now": to_db_time(now),
        },
    )


def reseal_secrets(
    *,
    slug: str,
    database_token: str | None,
    oidc_client_secret: str | None,
    previous: TenantRow,
    now: datetime,
) -> Statement:
    return Statement(
        _SQL["reseal_secrets"],
        {
            "slug": slug,
            "database_token": database_token,
            "oidc_client_secret": oidc_client_secret,
            "previous_database_token": previous.database_token,
            "previous_oidc_client_secret": previous.oidc_client_secret,
            "now": to_db_time(now),
        },
    )


def insert_key_owner(*, key_id: str, slug: str, now: datetime) -> Statement:
    return Statement(
        _SQL["insert_key_owner"], {"key_id": key_id, "slug": slug, "now": to_db_time(now)}
    )


def delete_key_owner(*, key_id: str) -> Statement:
    return Statement(_SQL["delete_key_owner"], {"key_id": key_id})


def insert_security_event(*, action: str, reason: str, detail: str, now: datetime) -> Statement:
    return Statement(
        _SQL["insert_security_event"],
        {"action": action, "reason": reason, "detail": detail, "now": to_db_time(now)},
    )


async def get_tenant(db: LibsqlDatabase, *, slug: str) -> TenantRow | None:
    result = await db.read(Statement(_SQL["get_tenant"], {"slug": slug}))
    return _tenant(result.rows[0]) if result.rows else None


async def get_tenant_by_key_id(db: LibsqlDatabase, *, key_id: str) -> TenantRow | None:
    result = await db.read(Statement(_SQL["get_tenant_by_key_id"], {"key_id": key_id}))
    return _tenant(result.rows[0]) if result.rows else None


async def list_tenants(db: LibsqlDatabase) -> list[TenantRow]:
    result = await db.read(Statement(_SQL["list_tenants"]))
    return [_tenant(row) for row in result.rows]


async def list_security_events(db: LibsqlDatabase, *, limit: int) -> list[SecurityEventRow]:
    result = await db.read(Statement(_SQL["list_security_events"], {"limit": limit}))
    return [
        SecurityEventRow(
            id=row_int(row, "id"),
            occurred_at=row_str(row, "occurred_at"),
            action=row_str(row, "action"),
            reason=row_str(row, "reason"),
            detail=row_str(row, "detail"),
        )
        for row in result.rows
    ]


def _tenant(row: Row) -> TenantRow:
    return TenantRow(
        slug=row_str(row, "slug"),
        tenant_id=UUID(row_str(row, "tenant_id")),
        status=row_str(row, "status"),
        database_url=row_str(row, "database_url"),
        database_token=row_opt_str(row, "database_token"),
        database_token_expires_at=row_opt_str(row, "database_token_expires_at"),
        turso_database=row_opt_str(row, "turso_database"),
        oidc_issuer=row_opt_str(row, "oidc_issuer"),
        oidc_client_id=row_opt_str(row, "oidc_client_id"),
        oidc_client_secret=row_opt_str(row, "oidc_client_secret"),
        oidc_allowed_domains=_domains_decoder.decode(row_str(row, "oidc_allowed_domains")),
        created_at=row_str(row, "created_at"),
    )


def _opt_time(value: datetime | None) -> str | None:
    return None if value is None else to_db_time(value)
