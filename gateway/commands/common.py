"""What every ``leadgate`` command shares: settings from the environment, logging, and
signal handling. Settings are loaded inside each command, not in the group, so ``--help``
works even with a broken environment."""

from __future__ import annotations

import os
import signal

import click

from gateway.core.logging import configure_logging
from gateway.settings import Settings, SettingsError, load_settings

__all__ = ["cli_settings"]


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``with`` blocks stop embedded services. uvicorn
    re-raises the signal after a graceful shutdown; the default action would kill the
    process before PostgreSQL and Redis are stopped."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def cli_settings(*, dev: bool = False, operator: bool = False) -> Settings:
    """Load settings or exit with the variable's name. ``dev`` allows a generated secret
    key on the embedded default; ``operator`` keeps one-shot commands' logs quiet."""
    try:
        # A generated key is only acceptable on the embedded default: encrypting production
        # secrets with a key nobody configured would lose them at the next deploy.
        settings = load_settings(generate_missing_secret=dev and not os.environ.get("PGHOST"))
    except SettingsError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
    quiet = operator and "LEADGATE_LOG_LEVEL" not in os.environ
    configure_logging("WARNING" if quiet else settings.log_level)
    _exit_on_sigterm()
    return settings
