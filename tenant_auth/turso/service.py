"""Provisioning a tenant's database on Turso, and keeping its token fresh."""

from __future__ import annotations

from datetime import datetime, timedelta

from tenant_auth.core.secretbox import Secret
from tenant_auth.core.structs import Frozen
from tenant_auth.turso.client import TursoPlatform, database_name_for

__all__ = [
    "TOKEN_LIFETIME",
    "TOKEN_ROTATE_WITHIN",
    "MintedToken",
    "ProvisionedDatabase",
    "mint_token",
    "provision_database",
]

TOKEN_LIFETIME = timedelta(days=30)
"""Lifetime of each database token minted for a tenant."""
TOKEN_ROTATE_WITHIN = timedelta(days=7)
"""A token is replaced once it has less than this left; the old one keeps working until
its own expiry, so processes still holding it are not cut off."""


class MintedToken(Frozen):
    token: Secret
    expires_at: datetime


class ProvisionedDatabase(Frozen):
    name: str
    url: str
    token: MintedToken


async def mint_token(turso: TursoPlatform, *, database: str, now: datetime) -> MintedToken:
    token = await turso.create_token(database, lifetime=TOKEN_LIFETIME)
    return MintedToken(token=token, expires_at=now + TOKEN_LIFETIME)


async def provision_database(
    turso: TursoPlatform, *, slug: str, now: datetime
) -> ProvisionedDatabase:
    """Create the tenant's database in the configured group and mint its first token.

    Raises ``TursoDatabaseExists`` when the name is taken (a previous half-finished
    registration, or another installation sharing the organization): nothing is adopted
    silently.
    """
    database = await turso.create_database(database_name_for(slug))
    return ProvisionedDatabase(
        name=database.name,
        url=turso.database_url(database),
        token=await mint_token(turso, database=database.name, now=now),
    )
