from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from gateway.cli import cli


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, lazily imported ones included (as ``leadgate --help`` lists them)."""
    found: list[tuple[str, ...]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_all_commands(command, path))
    return found


@pytest.mark.parametrize("path", _all_commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


def test_foundation_commands_exist() -> None:
    commands = set(_all_commands(cli))
    assert {
        ("dev",),
        ("serve",),
        ("worker",),
        ("migrate",),
        ("tenant", "create"),
        ("tenant", "list"),
        ("tenant", "oidc"),
        ("normalize",),
        ("ingest",),
        ("failed", "export"),
        ("user", "add"),
        ("apikey", "create"),
    } <= commands


def test_a_bad_setting_is_reported_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADGATE_PORT", "eighty")
    result = CliRunner().invoke(cli, ["migrate"])

    assert result.exit_code != 0
    assert "LEADGATE_PORT: " in result.output
    assert "Traceback" not in result.output
