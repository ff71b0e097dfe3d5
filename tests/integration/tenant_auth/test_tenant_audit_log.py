"""The audit log is append-only in the database itself, locally and remotely."""

from __future__ import annotations

import pytest

from tenant_auth.audit.schemas import AuditAction, AuditOutcome
from tenant_auth.audit.service import list_events, record_event
from tenant_auth.core.errors import StorageError
from tenant_auth.core.libsql import LibsqlDatabase, Statement
from tenant_auth.migrations.runner import TENANT_MIGRATIONS, migrate
from tenant_auth.registry.registry import Registry
from tests.support.hrana_server import HranaServer


@pytest.mark.parametrize(
    "tamper", ["UPDATE audit_event SET actor = 'someone-else'", "DELETE FROM audit_event"]
)
async def test_audit_events_cannot_be_changed_or_deleted(
    tenant_db: LibsqlDatabase, tamper: str
) -> None:
    await record_event(tenant_db, AuditAction.EXPORT, actor="user:1", detail={"rows": 12})

    with pytest.raises(StorageError) as raised:
        await tenant_db.write(Statement(tamper))

    assert raised.value.code == "SQLITE_CONSTRAINT_TRIGGER"
    [event] = await list_events(tenant_db)
    assert (event.actor, event.detail, event.outcome) == (
        "user:1",
        {"rows": 12},
        AuditOutcome.SUCCESS,
    )


async def test_security_events_in_the_registry_cannot_be_deleted(registry: Registry) -> None:
    with pytest.raises(StorageError) as raised:
        await registry.db.write(
            Statement(
                "INSERT INTO security_event (occurred_at, action, reason) VALUES ('t', 'a', 'r')"
            ),
            Statement("DELETE FROM security_event"),
        )
    assert raised.value.code == "SQLITE_CONSTRAINT_TRIGGER"


async def test_audit_log_is_append_only_on_a_remote_database_too(hrana: HranaServer) -> None:
    async with await LibsqlDatabase.open(hrana.url, auth_token="remote-token-1") as db:
        await migrate(db, TENANT_MIGRATIONS)
        await record_event(db, AuditAction.EXPORT, actor="user:1")
        with pytest.raises(StorageError):
            await db.write(Statement("DELETE FROM audit_event"))
        assert len(await list_events(db)) == 1


async def test_audit_log_pages_newest_first(tenant_db: LibsqlDatabase) -> None:
    for n in range(5):
        await record_event(tenant_db, AuditAction.EXPORT, actor="user:1", target=str(n))

    first = await list_events(tenant_db, limit=2)
    second = await list_events(tenant_db, limit=2, before_id=first[-1].id)
    last = await list_events(tenant_db, limit=2, before_id=second[-1].id)

    assert [e.target for e in first + second + last] == ["4", "3", "2", "1", "0"]
