"""The tenant_auth commands, run through click against real registry and tenant files."""

from __future__ import annotations

import asyncio
import uuid
from typing import Protocol

import click
import pytest
from click.testing import CliRunner, Result

from tenant_auth.apikeys.schemas import ApiScope
from tenant_auth.apikeys.service import verify_api_key
from tenant_auth.command import add_commands
from tenant_auth.core.errors import ApiKeyRejected, LinkRejected
from tenant_auth.core.settings import AuthSettings
from tenant_auth.links.service import verify_link
from tenant_auth.registry.registry import open_registry
from tenant_auth.registry.service import get_tenant, register_tenant


@click.group()
def leadgate() -> None:
    """Stand-in for the gateway's root command."""


@leadgate.group()
def tenant() -> None:
    """The gateway's own tenant group (it owns `tenant create`)."""


add_commands(leadgate)


class Invoke(Protocol):
    def __call__(
        self, *args: str, env: dict[str, str] | None = None, ok: bool = True
    ) -> Result: ...


@pytest.fixture
def run(settings: AuthSettings) -> Invoke:
    asyncio.run(_register(settings, "acme"))
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, ok: bool = True) -> Result:
        result = runner.invoke(leadgate, list(args), obj=settings, env=env)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


async def _register(settings: AuthSettings, slug: str) -> None:
    async with open_registry(settings) as registry:
        await register_tenant(registry, slug=slug, tenant_id=uuid.uuid4())


def test_user_add_list_and_deactivate(run: Invoke) -> None:
    run(
        "user",
        "add",
        "--tenant",
        "acme",
        "--email",
        "Ann@Example.com",
        "--role",
        "admin",
        "--name",
        "Ann",
    )
    run("user", "add", "--tenant", "acme", "--email", "bob@example.com", "--role", "viewer")
    run("user", "deactivate", "--tenant", "acme", "--email", "bob@example.com")

    lines = run("user", "list", "--tenant", "acme").stdout.splitlines()

    assert [line.split("\t")[:4] for line in lines] == [
        ["ann@example.com", "admin", "active", "Ann"],
        ["bob@example.com", "viewer", "deactivated", "-"],
    ]


def test_duplicate_user_is_a_clean_error(run: Invoke) -> None:
    run("user", "add", "--tenant", "acme", "--email", "ann@example.com", "--role", "admin")
    result = run(
        "user", "add", "--tenant", "acme", "--email", "ann@example.com", "--role", "admin", ok=False
    )
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_tenant_is_a_clean_error(run: Invoke) -> None:
    result = run("user", "list", "--tenant", "nobody", ok=False)
    assert result.exit_code == 1
    assert "no tenant 'nobody'" in result.stderr


def test_apikey_create_prints_the_key_once_and_it_verifies(
    run: Invoke, settings: AuthSettings
) -> None:
    created = run(
        "apikey",
        "create",
        "--tenant",
        "acme",
        "--name",
        "Experian",
        "--scope",
        "ingest",
        "--expires-days",
        "30",
    )
    key = created.stdout.strip()

    assert key.startswith("lg_")
    assert "cannot be shown again" in created.stderr
    listed = run("apikey", "list", "--tenant", "acme").stdout
    assert key not in listed
    prefix, name, scopes, status = listed.split("\t")[:4]
    assert (key.startswith(prefix + "_"), name, scopes, status) == (
        True,
        "Experian",
        "ingest",
        "active",
    )

    async def verify() -> str:
        async with open_registry(settings) as registry:
            return (await verify_api_key(registry, key, scope=ApiScope.INGEST)).tenant_slug

    assert asyncio.run(verify()) == "acme"

    run("apikey", "revoke", "--tenant", "acme", prefix)
    assert "\trevoked\t" in run("apikey", "list", "--tenant", "acme").stdout
    with pytest.raises(ApiKeyRejected):
        asyncio.run(verify())


def test_link_create_prints_the_path_with_token_and_revoke_ends_it(
    run: Invoke, settings: AuthSettings
) -> None:
    created = run(
        "link", "create", "--tenant", "acme", "--page", "/dashboards/sla", "--expires-hours", "2"
    )
    path = created.stdout.strip()
    page, _, token = path.partition("?link=")
    link_id = run("link", "list", "--tenant", "acme").stdout.split("\t")[0]

    async def verify() -> str:
        async with open_registry(settings) as registry:
            return (await verify_link(registry, token, page=page)).page

    assert asyncio.run(verify()) == "/dashboards/sla"
    run("link", "revoke", "--tenant", "acme", link_id)
    with pytest.raises(LinkRejected):
        asyncio.run(verify())
    assert "link.rejected" in run("audit", "list", "--tenant", "acme").stdout


def test_tenant_oidc_reads_the_secret_from_the_named_variable(
    run: Invoke, settings: AuthSettings
) -> None:
    result = run(
        "tenant",
        "oidc",
        "acme",
        "--issuer",
        "https://login.example.com",
        "--client-id",
        "leadgate",
        "--client-secret-env",
        "ACME_OIDC_SECRET",
        "--allowed-domain",
        "Example.com",
        env={"ACME_OIDC_SECRET": "client-secret-value"},
    )
    assert "client-secret-value" not in result.output

    async def provider() -> tuple[str, str, tuple[str, ...]]:
        async with open_registry(settings) as registry:
            oidc = (await get_tenant(registry, "acme")).oidc
            assert oidc is not None
            return oidc.issuer, oidc.client_secret.reveal(), oidc.allowed_domains

    assert asyncio.run(provider()) == (
        "https://login.example.com",
        "client-secret-value",
        ("example.com",),
    )


def test_tenant_oidc_without_the_variable_is_a_usage_error(run: Invoke) -> None:
    result = run(
        "tenant",
        "oidc",
        "acme",
        "--issuer",
        "https://login.example.com",
        "--client-id",
        "c",
        "--client-secret-env",
        "LEADGATE_TEST_UNSET_VARIABLE",
        ok=False,
    )
    assert result.exit_code == 2
    assert "LEADGATE_TEST_UNSET_VARIABLE" in result.stderr


def test_tenant_migrate_all_is_idempotent(run: Invoke, settings: AuthSettings) -> None:
    asyncio.run(_register(settings, "beta"))
    assert run("tenant", "migrate", "--all").stdout.splitlines() == [
        "acme\tup to date",
        "beta\tup to date",
    ]
    assert run("tenant", "migrate", "acme").stdout == "acme\tup to date\n"
    assert run("tenant", "migrate", ok=False).exit_code == 2


def test_rotate_tokens_with_nothing_due(run: Invoke) -> None:
    assert run("tenant", "rotate-tokens").stdout == "no token due\n"
