"""resource_link rows. Write functions build statements; reads run on the given database."""

from __future__ import annotations

from datetime import datetime

from tenant_auth.core.clock import from_db_time, to_db_time
from tenant_auth.core.libsql import LibsqlDatabase, Row, Statement, row_opt_str, row_str
from tenant_auth.core.sqlfiles import load_queries
from tenant_auth.links.schemas import ResourceLink

__all__ = ["get_link", "insert_link", "list_links", "revoke_link"]

_SQL = load_queries(__package__)


def insert_link(
    *, link_id: str, page: str, created_by: str, expires_at: datetime, now: datetime
) -> Statement:
    return Statement(
        _SQL["insert_link"],
        {
            "id": link_id,
            "page": page,
            "created_by": created_by,
            "expires_at": to_db_time(expires_at),
            "now": to_db_time(now),
        },
    )


def revoke_link(*, link_id: str, now: datetime) -> Statement:
    return Statement(_SQL["revoke_link"], {"id": link_id, "now": to_db_time(now)})


async def get_link(db: LibsqlDatabase, *, link_id: str) -> ResourceLink | None:
    result = await db.read(Statement(_SQL["get_link"], {"id": link_id}))
    return _link(result.rows[0]) if result.rows else None


async def list_links(db: LibsqlDatabase) -> list[ResourceLink]:
    result = await db.read(Statement(_SQL["list_links"]))
    return [_link(row) for row in result.rows]


def _link(row: Row) -> ResourceLink:
    revoked_at = row_opt_str(row, "revoked_at")
    return ResourceLink(
        id=row_str(row, "id"),
        page=row_str(row, "page"),
        created_by=row_str(row, "created_by"),
        created_at=from_db_time(row_str(row, "created_at")),
        expires_at=from_db_time(row_str(row, "expires_at")),
        revoked_at=None if revoked_at is None else from_db_time(revoked_at),
    )
