"""Inviting, listing and deactivating users, and linking OIDC identities on sign-in.

Invitation is the only way in: an owner or admin adds a user row (email + role) before
that person ever signs in, and a first sign-in links an OIDC identity to it by email.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from typing import NoReturn

from tenant_auth.audit.schemas import AuditAction, AuditOutcome
from tenant_auth.audit.service import audit_statement, record_event
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import (
    InvalidInput,
    SignInRefusal,
    SignInRefused,
    UserAlreadyExists,
    UserNotFound,
)
from tenant_auth.core.libsql import LibsqlDatabase
from tenant_auth.users import repository
from tenant_auth.users.schemas import Role, User

__all__ = [
    "add_user",
    "deactivate_user",
    "find_user_by_email",
    "get_user",
    "link_identity",
    "list_users",
    "normalize_email",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MAX_EMAIL = 254
_MAX_NAME = 200


def normalize_email(email: str) -> str:
    """Trimmed and lowercased; raises ``InvalidInput`` if it is not an address."""
    normalized = email.strip().lower()
    if len(normalized) > _MAX_EMAIL or not _EMAIL.match(normalized):
        raise InvalidInput("not an email address")
    return normalized


async def add_user(
    db: LibsqlDatabase,
    *,
    email: str,
    role: Role | str,
    name: str | None = None,
    actor: str,
) -> User:
    """Invite a user: the row exists (active) before their first sign-in.

    Raises ``InvalidInput`` for a bad email/role/name, ``UserAlreadyExists`` if the email
    is taken (active or not).
    """
    email = normalize_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"role must be one of {', '.join(r.value for r in Role)}") from None
    if name is not None:
        name = " ".join(name.split()) or None
        if name is not None and len(name) > _MAX_NAME:
            raise InvalidInput(f"name must be at most {_MAX_NAME} characters")
    now = utc_now()
    inserted, _ = await db.write(
        repository.insert_user(
            user_id=str(uuid.uuid4()), email=email, name=name, role=role, now=now
        ),
        audit_statement(
            AuditAction.USER_INVITED,
            actor=actor,
            target=email,
            detail={"role": role.value},
            only_if_changed=True,
            now=now,
        ),
    )
    if inserted.rows_affected == 0:
        raise UserAlreadyExists(f"a user with that email already exists ({email})")
    return await _require_by_email(db, email)


async def list_users(db: LibsqlDatabase) -> list[User]:
    """Every user, active or not, by email."""
    return await repository.list_users(db)


async def get_user(db: LibsqlDatabase, *, user_id: str) -> User:
    user = await repository.get_user_by_id(db, user_id=user_id)
    if user is None:
        raise UserNotFound("no such user")
    return user


async def find_user_by_email(db: LibsqlDatabase, *, email: str) -> User | None:
    return await repository.get_user_by_email(db, email=normalize_email(email))


async def deactivate_user(db: LibsqlDatabase, *, email: str, actor: str) -> User:
    """Deactivate; a deactivated user can no longer sign in. Idempotent (audited once).

    Raises ``UserNotFound``.
    """
    email = normalize_email(email)
    now = utc_now()
    await db.write(
        repository.deactivate_user(email=email, now=now),
        audit_statement(
            AuditAction.USER_DEACTIVATED, actor=actor, target=email, only_if_changed=True, now=now
        ),
    )
    return await _require_by_email(db, email)


async def link_identity(
    db: LibsqlDatabase,
    *,
    issuer: str,
    subject: str,
    email: str,
    allowed_domains: Collection[str] = (),
) -> User:
    """Resolve a completed OIDC sign-in to an active user of this tenant; call once per
    successful callback, with the issuer, ``sub`` and (verified) email from the ID token.

    A known identity signs in as its user. An unknown one is linked on this first
    sign-in only if an active invited user has that email, its domain is allowed (when
    ``allowed_domains`` is not empty), and that user has no other identity at this issuer.

    Every outcome is audited. Raises ``SignInRefused`` with the reason.
    """
    user_id = await repository.get_identity_user_id(db, issuer=issuer, subject=subject)
    if user_id is not None:
        user = await repository.get_user_by_id(db, user_id=user_id)
        if user is None or not user.active:
            await _refuse(
                db, SignInRefusal.DEACTIVATED, issuer=issuer, subject=subject, email=email
            )
        return await _sign_in(db, user, issuer=issuer, subject=subject)

    try:
        normalized = normalize_email(email)
    except InvalidInput:
        await _refuse(db, SignInRefusal.NOT_INVITED, issuer=issuer, subject=subject, email=email)
    domain = normalized.rpartition("@")[2]
    if allowed_domains and domain not in allowed_domains:
        await _refuse(
            db, SignInRefusal.DOMAIN_NOT_ALLOWED, issuer=issuer, subject=subject, email=normalized
        )
    invited = await repository.get_user_by_email(db, email=normalized)
    if invited is None:
        await _refuse(
            db, SignInRefusal.NOT_INVITED, issuer=issuer, subject=subject, email=normalized
        )
    if not invited.active:
        await _refuse(
            db, SignInRefusal.DEACTIVATED, issuer=issuer, subject=subject, email=normalized
        )
    if await repository.count_identities_at_issuer(db, user_id=invited.id, issuer=issuer):
        await _refuse(
            db, SignInRefusal.IDENTITY_CONFLICT, issuer=issuer, subject=subject, email=normalized
        )

    now = utc_now()
    await db.write(
        repository.insert_identity(issuer=issuer, subject=subject, user_id=invited.id, now=now),
        audit_statement(
            AuditAction.IDENTITY_LINKED,
            actor=invited.actor,
            target=normalized,
            detail={"issuer": issuer, "subject": subject},
            only_if_changed=True,
            now=now,
        ),
    )
    # A concurrent first sign-in may have linked another subject to this user first;
    # whichever identity the database holds wins.
    linked = await repository.get_identity_user_id(db, issuer=issuer, subject=subject)
    if linked != invited.id:
        await _refuse(
            db, SignInRefusal.IDENTITY_CONFLICT, issuer=issuer, subject=subject, email=normalized
        )
    return await _sign_in(db, invited, issuer=issuer, subject=subject)


async def _sign_in(db: LibsqlDatabase, user: User, *, issuer: str, subject: str) -> User:
    now = utc_now()
    recorded, _ = await db.write(
        repository.record_sign_in(user_id=user.id, now=now),
        audit_statement(
            AuditAction.SIGN_IN,
            actor=user.actor,
            target=user.email,
            detail={"issuer": issuer, "subject": subject},
            only_if_changed=True,
            now=now,
        ),
    )
    if recorded.rows_affected == 0:
        # Deactivated between the read and this write.
        await _refuse(
            db, SignInRefusal.DEACTIVATED, issuer=issuer, subject=subject, email=user.email
        )
    return await get_user(db, user_id=user.id)


async def _require_by_email(db: LibsqlDatabase, email: str) -> User:
    user = await repository.get_user_by_email(db, email=email)
    if user is None:
        raise UserNotFound(f"no user with email {email}")
    return user


async def _refuse(
    db: LibsqlDatabase, reason: SignInRefusal, *, issuer: str, subject: str, email: str
) -> NoReturn:
    await record_event(
        db,
        AuditAction.SIGN_IN,
        actor="anonymous",
        outcome=AuditOutcome.FAILURE,
        target=email,
        detail={"issuer": issuer, "subject": subject, "reason": reason.value},
    )
    raise SignInRefused(reason)
