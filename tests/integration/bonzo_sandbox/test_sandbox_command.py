"""``leadgate bonzo-sandbox`` argument handling (the server itself is tested over HTTP)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gateway.bonzo_sandbox.command import bonzo_sandbox_command


def test_help_lists_every_option() -> None:
    result = CliRunner().invoke(bonzo_sandbox_command, ["--help"])

    assert result.exit_code == 0
    assert "SANDBOX (not Bonzo)" in result.output
    for option in (
        "--port",
        "--host",
        "--webhook",
        "--accept-any-webhook",
        "--api-token",
        "--event-hook-url",
        "--event-hook-code",
        "--first-contact-after",
        "--fail-rate",
        "--rate-limit-rate",
        "--retry-after",
        "--slow-ms",
        "--reset-rate",
        "--seed",
        "--store",
    ):
        assert option in result.output


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--webhook", "ABC"], "32 lowercase hex"),
        (["--event-hook-url", "http://127.0.0.1:1/e"], "go together"),
        (["--fail-rate", "0.7", "--reset-rate", "0.7"], "must not exceed 1"),
        (["--fail-rate", "2"], "0<=x<=1"),
    ],
)
def test_bad_arguments_stop_before_serving(arguments: list[str], complaint: str) -> None:
    result = CliRunner().invoke(bonzo_sandbox_command, arguments)

    assert result.exit_code == 2
    assert complaint in result.output
