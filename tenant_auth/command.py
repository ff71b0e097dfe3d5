"""``leadgate`` commands for tenant identity: users, API keys, resource links, tenant
databases (migrate, OIDC, token rotation) and the audit log.

Each command reads an ``AuthSettings`` from click's context object (``ctx.obj``), which
the root command builds from the environment. ``add_commands(cli)`` attaches everything
to the root group, adding the tenant commands to its existing ``tenant`` group.
"""

from __future__ import annotations

import asyncio
import getpass
import os
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import click

from tenant_auth.apikeys.schemas import ApiScope
from tenant_auth.apikeys.service import create_api_key, list_api_keys, revoke_api_key
from tenant_auth.audit.service import list_events
from tenant_auth.core.cli import AUTH_SETTINGS_FACTORY
from tenant_auth.core.clock import utc_now
from tenant_auth.core.errors import TenantAuthError
from tenant_auth.core.settings import AuthSettings
from tenant_auth.links.service import MAX_LINK_LIFETIME, create_link, list_links, revoke_link
from tenant_auth.registry.registry import Registry, open_registry
from tenant_auth.registry.service import (
    configure_oidc,
    get_tenant,
    migrate_all_tenants,
    migrate_tenant,
    reseal_secrets,
    rotate_database_tokens,
)
from tenant_auth.turso.service import TOKEN_ROTATE_WITHIN
from tenant_auth.users.schemas import Role
from tenant_auth.users.service import add_user, deactivate_user, list_users

__all__ = [
    "AUTH_SETTINGS_FACTORY",
    "add_commands",
    "apikey",
    "audit",
    "link",
    "tenant_commands",
    "user",
]

T = TypeVar("T")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _run(action: Callable[[Registry], Coroutine[Any, Any, T]]) -> T:
    ctx = click.get_current_context()
    settings = ctx.find_object(AuthSettings)
    if settings is None:
        # The host CLI loads settings only when a command runs, so --help works with a
        # broken environment; it leaves a factory for that in the context's meta.
        factory = ctx.meta.get(AUTH_SETTINGS_FACTORY)
        if factory is None:
            raise click.UsageError("internal error: the command context carries no AuthSettings")
        settings = factory()

    async def main() -> T:
        async with open_registry(settings) as registry:
            return await action(registry)

    try:
        return asyncio.run(main())
    except TenantAuthError as exc:
        raise click.ClickException(str(exc)) from None


def _when(value: object) -> str:
    return "-" if value is None else str(value)


_tenant_option = click.option("--tenant", "slug", required=True, help="Tenant slug.")


# --- tenant ---------------------------------------------------------------------------


@click.command("migrate")
@click.argument("slug", required=False)
@click.option("--all", "all_tenants", is_flag=True, help="Migrate every registered tenant.")
def tenant_migrate(slug: str | None, all_tenants: bool) -> None:
    """Apply pending schema migrations to tenant identity databases (safe to re-run)."""
    if all_tenants == (slug is not None):
        raise click.UsageError("give either SLUG or --all")

    async def action(registry: Registry) -> bool:
        if slug is not None:
            applied = await migrate_tenant(await get_tenant(registry, slug))
            click.echo(f"{slug}\t{', '.join(m.label for m in applied) or 'up to date'}")
            return True
        ok = True
        for outcome in await migrate_all_tenants(registry):
            if outcome.error is not None:
                ok = False
                click.echo(f"{outcome.slug}\tFAILED: {outcome.error}", err=True)
            else:
                click.echo(f"{outcome.slug}\t{', '.join(outcome.applied) or 'up to date'}")
        return ok

    if not _run(action):
        raise click.exceptions.Exit(1)


@click.command("oidc")
@click.argument("slug")
@click.option("--issuer", required=True, help="OIDC issuer URL (https).")
@click.option("--client-id", required=True)
@click.option(
    "--client-secret-env",
    "secret_env",
    required=True,
    metavar="VAR",
    help="Environment variable holding the client secret (kept out of shell history).",
)
@click.option(
    "--allowed-domain",
    "domains",
    multiple=True,
    metavar="DOMAIN",
    help="Email domain allowed to sign in (repeatable; none = any invited address).",
)
def tenant_oidc(
    slug: str, issuer: str, client_id: str, secret_env: str, domains: tuple[str, ...]
) -> None:
    """Configure the OIDC provider users of tenant SLUG sign in with."""
    client_secret = os.environ.get(secret_env)
    if not client_secret:
        raise click.UsageError(f"environment variable {secret_env} is not set or empty")

    async def action(registry: Registry) -> None:
        tenant = await configure_oidc(
            registry,
            slug,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            allowed_domains=domains,
            actor=_actor(),
        )
        domains_set = tenant.oidc.allowed_domains if tenant.oidc else ()
        allowed = ", ".join(domains_set) or "any invited address"
        click.echo(f"{slug}: OIDC issuer {issuer}, domains: {allowed}")

    _run(action)


@click.command("rotate-tokens")
@click.option(
    "--within-days",
    type=click.IntRange(min=0),
    default=TOKEN_ROTATE_WITHIN.days,
    show_default=True,
    help="Rotate Turso tokens expiring within this many days.",
)
def tenant_rotate_tokens(within_days: int) -> None:
    """Mint fresh Turso database tokens before the current ones expire (run daily)."""
    rotated = _run(lambda r: rotate_database_tokens(r, within=timedelta(days=within_days)))
    click.echo("\n".join(f"rotated {slug}" for slug in rotated) or "no token due")


@click.command("reseal-secrets")
def tenant_reseal_secrets() -> None:
    """Re-encrypt tenant secrets under the first key of LEADGATE_SECRET_KEY."""
    changed = _run(reseal_secrets)
    click.echo("\n".join(f"resealed {slug}" for slug in changed) or "all secrets current")


tenant_commands: tuple[click.Command, ...] = (
    tenant_migrate,
    tenant_oidc,
    tenant_rotate_tokens,
    tenant_reseal_secrets,
)


# --- user -----------------------------------------------------------------------------


@click.group()
def user() -> None:
    """Invite, list and deactivate a tenant's users."""


@user.command("add")
@_tenant_option
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name")
def user_add(slug: str, email: str, role: str, name: str | None) -> None:
    """Invite a user; they can sign in once the tenant's OIDC provider knows them."""

    async def action(registry: Registry) -> None:
        db = await registry.database(await get_tenant(registry, slug))
        added = await add_user(db, email=email, role=role, name=name, actor=_actor())
        click.echo(f"invited {added.email} as {added.role} ({added.id})")

    _run(action)


@user.command("list")
@_tenant_option
def user_list(slug: str) -> None:
    """Email, role, status, name, last sign-in."""

    async def action(registry: Registry) -> None:
        db = await registry.database(await get_tenant(registry, slug))
        for u in await list_users(db):
            status = "active" if u.active else "deactivated"
            click.echo(
                f"{u.email}\t{u.role}\t{status}\t{u.name or '-'}\t{_when(u.last_sign_in_at)}"
            )

    _run(action)


@user.command("deactivate")
@_tenant_option
@click.option("--email", required=True)
def user_deactivate(slug: str, email: str) -> None:
    """Stop a user from signing in (their row and history stay)."""

    async def action(registry: Registry) -> None:
        db = await registry.database(await get_tenant(registry, slug))
        done = await deactivate_user(db, email=email, actor=_actor())
        click.echo(f"deactivated {done.email}")

    _run(action)


# --- apikey ---------------------------------------------------------------------------


@click.group()
def apikey() -> None:
    """Create, list and revoke a tenant's API keys."""


@apikey.command("create")
@_tenant_option
@click.option("--name", required=True, help="What the key is for, e.g. the vendor.")
@click.option(
    "--scope",
    "scopes",
    required=True,
    multiple=True,
    type=click.Choice([s.value for s in ApiScope]),
    help="Repeatable.",
)
@click.option("--expires-days", type=click.IntRange(min=1), help="Default: never expires.")
def apikey_create(slug: str, name: str, scopes: tuple[str, ...], expires_days: int | None) -> None:
    """Create a key and print it once on stdout; only its hash is kept."""

    async def action(registry: Registry) -> None:
        expires_at = None if expires_days is None else utc_now() + timedelta(days=expires_days)
        issued = await create_api_key(
            registry,
            await get_tenant(registry, slug),
            name=name,
            scopes=scopes,
            expires_at=expires_at,
            actor=_actor(),
        )
        click.echo(issued.key.reveal())
        click.echo(
            f"API key {issued.api_key.prefix} for {slug} ({', '.join(issued.api_key.scopes)}); "
            "store it now, it cannot be shown again",
            err=True,
        )

    _run(action)


@apikey.command("list")
@_tenant_option
def apikey_list(slug: str) -> None:
    """Prefix, name, scopes, status, created, expires, last used."""

    async def action(registry: Registry) -> None:
        db = await registry.database(await get_tenant(registry, slug))
        now = utc_now()
        for key in await list_api_keys(db):
            click.echo(
                f"{key.prefix}\t{key.name}\t{','.join(key.scopes)}\t{key.status(now)}\t"
                f"{key.created_at}\t{_when(key.expires_at)}\t{_when(key.last_used_at)}"
            )

    _run(action)


@apikey.command("revoke")
@_tenant_option
@click.argument("key_id")
def apikey_revoke(slug: str, key_id: str) -> None:
    """Revoke KEY_ID (``lg_<id>`` or the bare id); refused everywhere within seconds."""

    async def action(registry: Registry) -> None:
        tenant = await get_tenant(registry, slug)
        revoked = await revoke_api_key(registry, tenant, key_id=key_id, actor=_actor())
        click.echo(f"revoked {revoked.prefix}")

    _run(action)


# --- link -----------------------------------------------------------------------------


@click.group()
def link() -> None:
    """Create, list and revoke read-only links to one page of a tenant."""


@link.command("create")
@_tenant_option
@click.option("--page", required=True, help="Path of the page, e.g. /dashboards/sla.")
@click.option(
    "--expires-hours",
    type=click.IntRange(1, int(MAX_LINK_LIFETIME.total_seconds() // 3600)),
    default=168,
    show_default=True,
)
def link_create(slug: str, page: str, expires_hours: int) -> None:
    """Print the page path with its signed token (append it to the gateway's URL)."""

    async def action(registry: Registry) -> None:
        issued = await create_link(
            registry,
            await get_tenant(registry, slug),
            page=page,
            expires_at=utc_now() + timedelta(hours=expires_hours),
            actor=_actor(),
        )
        click.echo(issued.path)
        click.echo(f"link {issued.link.id} expires {issued.link.expires_at}", err=True)

    _run(action)


@link.command("list")
@_tenant_option
def link_list(slug: str) -> None:
    """Id, page, status, created, expires."""

    async def action(registry: Registry) -> None:
        db = await registry.database(await get_tenant(registry, slug))
        now = utc_now()
        for item in await list_links(db):
            click.echo(
                f"{item.id}\t{item.page}\t{item.status(now)}\t{item.created_at}\t{item.expires_at}"
            )

    _run(action)


@link.command("revoke")
@_tenant_option
@click.argument("link_id")
def link_revoke(slug: str, link_id: str) -> None:
    """Revoke LINK_ID; its token stops working at once."""

    async def action(registry: Registry) -> None:
        tenant = await get_tenant(registry, slug)
        revoked = await revoke_link(registry, tenant, link_id=link_id, actor=_actor())
        click.echo(f"revoked link {revoked.id}")

    _run(action)


# --- audit ----------------------------------------------------------------------------


@click.group()
def audit() -> None:
    """Read a tenant's audit log."""


@audit.command("list")
@_tenant_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def audit_list(slug: str, limit: int) -> None:
    """Newest first: id, time, action, outcome, actor, target, detail."""

    async def action(registry: Registry) -> None:
        db = await registry.database(await get_tenant(registry, slug))
        for event in await list_events(db, limit=limit):
            detail = " ".join(f"{k}={v}" for k, v in event.detail.items())
            click.echo(
                f"{event.id}\t{event.occurred_at}\t{event.action}\t{event.outcome}\t"
                f"{event.actor}\t{event.target or '-'}\t{detail}"
            )

    _run(action)


def add_commands(cli: click.Group) -> None:
    """Attach the ``user``, ``apikey``, ``link`` and ``audit`` groups to ``cli``, and the
    tenant commands to its ``tenant`` group (created if it has none)."""
    tenant = cli.commands.get("tenant")
    if tenant is None:
        tenant = click.Group("tenant", help="Manage tenants.")
        cli.add_command(tenant)
    if not isinstance(tenant, click.Group):
        raise TypeError("the root command's 'tenant' entry is not a group")
    for command in tenant_commands:
        tenant.add_command(command)
    for group in (user, apikey, link, audit):
        cli.add_command(group)
