"""Users: invitations, deactivation, and linking OIDC identities on first sign-in."""

from __future__ import annotations

import pytest

from tenant_auth.audit.service import list_events
from tenant_auth.core.errors import (
    InvalidInput,
    SignInRefusal,
    SignInRefused,
    UserAlreadyExists,
    UserNotFound,
)
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.users.schemas import Role
from tenant_auth.users.service import (
    add_user,
    deactivate_user,
    find_user_by_email,
    link_identity,
    list_users,
)

ISSUER = "https://login.example.com/realms/acme"


async def test_invited_user_exists_before_first_sign_in(tenant_db: LibsqlDatabase) -> None:
    user = await add_user(
        tenant_db,
        email="  Ann.Lee@Example.com ",
        role="manager",
        name=" Ann  Lee ",
        actor="cli:test",
    )

    assert (user.email, user.role, user.name, user.active) == (
        "ann.lee@example.com",
        Role.MANAGER,
        "Ann Lee",
        True,
    )
    assert user.last_sign_in_at is None
    assert await list_users(tenant_db) == [user]
    [event] = await list_events(tenant_db)
    assert (event.action, event.actor, event.target, event.detail) == (
        "user.invited",
        "cli:test",
        "ann.lee@example.com",
        {"role": "manager"},
    )


async def test_inviting_the_same_email_twice_is_refused_and_audited_once(
    tenant_db: LibsqlDatabase,
) -> None:
    await add_user(tenant_db, email="ann@example.com", role="viewer", actor="cli")
    with pytest.raises(UserAlreadyExists):
        await add_user(tenant_db, email="ANN@example.com", role="admin", actor="cli")
    assert [e.action for e in await list_events(tenant_db)] == ["user.invited"]


@pytest.mark.parametrize(
    ("email", "role"), [("not-an-email", "viewer"), ("ann@example.com", "superuser")]
)
async def test_malformed_email_or_unknown_role_is_refused(
    tenant_db: LibsqlDatabase, email: str, role: str
) -> None:
    with pytest.raises(InvalidInput):
        await add_user(tenant_db, email=email, role=role, actor="cli")


async def test_deactivation_is_idempotent_and_audited_once(tenant_db: LibsqlDatabase) -> None:
    await add_user(tenant_db, email="ann@example.com", role="viewer", actor="cli")
    first = await deactivate_user(tenant_db, email="ann@example.com", actor="cli")
    second = await deactivate_user(tenant_db, email="ann@example.com", actor="cli")

    assert not first.active
    assert not second.active
    assert [e.action for e in await list_events(tenant_db)] == ["user.deactivated", "user.invited"]


async def test_deactivating_an_unknown_user_is_not_found(tenant_db: LibsqlDatabase) -> None:
    with pytest.raises(UserNotFound):
        await deactivate_user(tenant_db, email="ghost@example.com", actor="cli")


async def test_first_sign_in_links_the_identity_to_the_invited_user(
    tenant_db: LibsqlDatabase,
) -> None:
    invited = await add_user(tenant_db, email="ann@example.com", role="admin", actor="cli")

    signed_in = await link_identity(
        tenant_db, issuer=ISSUER, subject="sub-123", email="Ann@Example.com"
    )

    assert signed_in.id == invited.id
    assert signed_in.last_sign_in_at is not None
    actions = [(e.action, e.outcome) for e in await list_events(tenant_db)]
    assert actions[:2] == [("sign_in", "success"), ("user.identity_linked", "success")]


async def test_later_sign_in_uses_the_identity_even_if_the_email_changed(
    tenant_db: LibsqlDatabase,
) -> None:
    invited = await add_user(tenant_db, email="ann@example.com", role="admin", actor="cli")
    await link_identity(tenant_db, issuer=ISSUER, subject="sub-123", email="ann@example.com")

    again = await link_identity(
        tenant_db, issuer=ISSUER, subject="sub-123", email="ann.new@example.com"
    )

    assert again.id == invited.id


async def test_sign_in_without_an_invitation_is_refused_and_audited(
    tenant_db: LibsqlDatabase,
) -> None:
    with pytest.raises(SignInRefused) as raised:
        await link_identity(tenant_db, issuer=ISSUER, subject="sub-9", email="eve@example.com")

    assert raised.value.reason is SignInRefusal.NOT_INVITED
    [event] = await list_events(tenant_db)
    assert (event.action, event.outcome, event.target) == ("sign_in", "failure", "eve@example.com")
    assert event.detail["reason"] == "not_invited"


async def test_deactivated_user_is_refused_before_and_after_linking(
    tenant_db: LibsqlDatabase,
) -> None:
    await add_user(tenant_db, email="ann@example.com", role="viewer", actor="cli")
    await add_user(tenant_db, email="bob@example.com", role="viewer", actor="cli")
    await link_identity(tenant_db, issuer=ISSUER, subject="sub-ann", email="ann@example.com")
    await deactivate_user(tenant_db, email="ann@example.com", actor="cli")
    await deactivate_user(tenant_db, email="bob@example.com", actor="cli")

    for subject, email in [("sub-ann", "ann@example.com"), ("sub-bob", "bob@example.com")]:
        with pytest.raises(SignInRefused) as raised:
            await link_identity(tenant_db, issuer=ISSUER, subject=subject, email=email)
        assert raised.value.reason is SignInRefusal.DEACTIVATED


async def test_email_outside_the_allowed_domains_is_refused(tenant_db: LibsqlDatabase) -> None:
    await add_user(tenant_db, email="ann@elsewhere.example.net", role="viewer", actor="cli")
    with pytest.raises(SignInRefused) as raised:
        await link_identity(
            tenant_db,
            issuer=ISSUER,
            subject="sub-ann",
            email="ann@elsewhere.example.net",
            allowed_domains=("example.com",),
        )
    assert raised.value.reason is SignInRefusal.DOMAIN_NOT_ALLOWED


async def test_second_account_at_the_same_issuer_cannot_take_over_a_linked_user(
    tenant_db: LibsqlDatabase,
) -> None:
    await add_user(tenant_db, email="ann@example.com", role="owner", actor="cli")
    await link_identity(tenant_db, issuer=ISSUER, subject="sub-ann", email="ann@example.com")

    with pytest.raises(SignInRefused) as raised:
        await link_identity(
            tenant_db, issuer=ISSUER, subject="sub-mallory", email="ann@example.com"
        )

    assert raised.value.reason is SignInRefusal.IDENTITY_CONFLICT


async def test_same_user_may_link_one_identity_per_issuer(tenant_db: LibsqlDatabase) -> None:
    invited = await add_user(tenant_db, email="ann@example.com", role="owner", actor="cli")
    await link_identity(tenant_db, issuer=ISSUER, subject="sub-ann", email="ann@example.com")
    other = await link_identity(
        tenant_db, issuer="https://accounts.example.org", subject="ann-2", email="ann@example.com"
    )
    assert other.id == invited.id


async def test_find_user_by_email_ignores_case(tenant_db: LibsqlDatabase) -> None:
    invited = await add_user(tenant_db, email="ann@example.com", role="owner", actor="cli")
    assert await find_user_by_email(tenant_db, email="ANN@example.com") == invited
    assert await find_user_by_email(tenant_db, email="bob@example.com") is None
