"""``leadgate bonzo-sandbox``: run the Bonzo stand-in on its own."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import click

from gateway.bonzo_sandbox.config import EventHookTarget, FaultPlan, SandboxConfig, is_webhook_id
from gateway.bonzo_sandbox.server import serve_sandbox
from gateway.core.logging import configure_logging

__all__ = ["bonzo_sandbox_command"]

_RATE = click.FloatRange(0.0, 1.0)


def _webhook_ids(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    for value in values:
        if not is_webhook_id(value):
            raise click.BadParameter(f"{value!r} is not 32 lowercase hex digits")
    return values


@click.command("bonzo-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--webhook",
    "webhooks",
    multiple=True,
    callback=_webhook_ids,
    metavar="ID",
    help="A webhook id (32 lowercase hex) to accept; repeatable. With none and no "
    "--accept-any-webhook, one is generated and printed.",
)
@click.option(
    "--accept-any-webhook", is_flag=True, help="Accept posts to any well-formed webhook id."
)
@click.option(
    "--api-token", metavar="T", help="Bearer token for API v3 (default: generated and printed)."
)
@click.option("--event-hook-url", metavar="URL", help="Where to send Bonzo event hooks.")
@click.option("--event-hook-code", metavar="CODE", help="Sent as x-bonzo-code with each hook.")
@click.option(
    "--first-contact-after",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Simulate a loan officer texting each new prospect after this delay.",
)
@click.option("--fail-rate", type=_RATE, default=0.0, help="Fraction of posts answered 5xx.")
@click.option("--rate-limit-rate", type=_RATE, default=0.0, help="Fraction answered 429.")
@click.option(
    "--retry-after",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Retry-After seconds on a 429.",
)
@click.option("--slow-ms", type=click.IntRange(min=0), default=0, help="Delay before answering.")
@click.option(
    "--slow-rate",
    type=_RATE,
    default=1.0,
    show_default=True,
    help="Fraction of posts delayed by --slow-ms.",
)
@click.option("--reset-rate", type=_RATE, default=0.0, help="Fraction of connections reset.")
@click.option("--seed", type=int, help="Seed for reproducible faults.")
@click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep prospects and webhooks in this SQLite file across restarts.",
)
def bonzo_sandbox_command(
    *,
    host: str,
    port: int,
    webhooks: tuple[str, ...],
    accept_any_webhook: bool,
    api_token: str | None,
    event_hook_url: str | None,
    event_hook_code: str | None,
    first_contact_after: float | None,
    fail_rate: float,
    rate_limit_rate: float,
    retry_after: int,
    slow_ms: int,
    slow_rate: float,
    reset_rate: float,
    seed: int | None,
    store_path: Path | None,
) -> None:
    """Run a local Bonzo SANDBOX (not Bonzo): a General webhook, API v3, event hooks and
    fault injection, for development, tests and benchmarks. Nothing sent here reaches a
    real CRM. Admin endpoints are under /_sandbox/ (see GET /)."""
    if (event_hook_url is None) != (event_hook_code is None):
        raise click.UsageError("--event-hook-url and --event-hook-code go together")
    try:
        faults = FaultPlan(
            fail_rate=fail_rate,
            rate_limit_rate=rate_limit_rate,
            retry_after=retry_after,
            reset_rate=reset_rate,
            slow_ms=slow_ms,
            slow_rate=slow_rate,
            seed=seed,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not webhooks and not accept_any_webhook:
        webhooks = (secrets.token_hex(16),)
    token = api_token or secrets.token_urlsafe(24)
    config = SandboxConfig(
        webhooks=webhooks,
        accept_any_webhook=accept_any_webhook,
        api_token=token,
        event_hook=EventHookTarget(url=event_hook_url, code=event_hook_code)
        if event_hook_url is not None and event_hook_code is not None
        else None,
        first_contact_after=first_contact_after,
        faults=faults,
        store_path=store_path,
    )

    configure_logging()
    base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    click.echo(f"Bonzo SANDBOX (not Bonzo) on {base}")
    for webhook_id in webhooks:
        click.echo(f"  webhook: {base}/api/webhook/{webhook_id}")
    if accept_any_webhook:
        click.echo("  webhooks: any well-formed id is accepted")
    click.echo(f"  API v3:  {base}/api/v3  (Authorization: Bearer {token})")
    try:
        asyncio.run(serve_sandbox(config, host=host, port=port))
    except KeyboardInterrupt:
        click.echo("Bonzo sandbox stopped", err=True)
