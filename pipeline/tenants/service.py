"""Creating tenants and configuring where their leads go."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import psycopg

from pipeline.core.db import Connection
from pipeline.tenants import repository
from pipeline.tenants.schemas import SecretCipher, Tenant

__all__ = ["TenantError", "create_tenant", "mask_webhook_url", "set_bonzo_webhook"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class TenantError(ValueError):
    """A tenant cannot be created or changed as asked; the message says why."""


def mask_webhook_url(url: str) -> str:
    """``https://app.getbonzo.com/api/webhook/…3f9a``: enough to tell endpoints apart,
    useless to an attacker (the path is the credential)."""
    parts = urlsplit(url)
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    prefix = parts.path[: len(parts.path.rstrip("/")) - len(tail)]
    return f"{parts.scheme}://{parts.netloc}{prefix}…{tail[-4:]}"


def _validate_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise TenantError("--bonzo-webhook-url must be an http(s) URL")
    if parts.query or parts.fragment or parts.username:
        raise TenantError("--bonzo-webhook-url must not carry a query, fragment or credentials")


async def create_tenant(
    conn: Connection,
    *,
    slug: str,
    name: str,
    bonzo_webhook_url: str | None,
    cipher: SecretCipher,
) -> Tenant:
    """Insert a tenant (and its Bonzo endpoint, encrypted). Runs in the caller's
    transaction on an operator (owner) connection."""
    if not _SLUG.match(slug):
        raise TenantError(
            f"slug {slug!r}: use 1-63 lowercase letters, digits and dashes, starting with a letter or digit"
        )
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise TenantError("name must be 1-200 characters")
    if bonzo_webhook_url is not None:
        _validate_webhook_url(bonzo_webhook_url)
    try:
        tenant = await repository.insert_tenant(conn, slug=slug, name=name)
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name == "tenants_slug_key":
            raise TenantError(f"a tenant with slug {slug!r} already exists") from None
        raise
    if bonzo_webhook_url is not None:
        await set_bonzo_webhook(conn, tenant=tenant, url=bonzo_webhook_url, cipher=cipher)
    return tenant


async def set_bonzo_webhook(
    conn: Connection, *, tenant: Tenant, url: str, cipher: SecretCipher
) -> None:
    _validate_webhook_url(url)
    await repository.upsert_bonzo_endpoint(
        conn,
        tenant_id=tenant.id,
        url_ciphertext=cipher.encrypt(url),
        url_hint=mask_webhook_url(url),
    )
