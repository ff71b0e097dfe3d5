from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from gateway.commands.bonzo_events import bonzo_code
from pipeline.core.db import open_pool
from pipeline.core.settings import DatabaseSettings
from pipeline.journey.service import EventCodeRejected, receive_event
from tenant_auth.core.secretbox import SecretBox
from tests.support.settings import TEST_SECRET_KEY
from tests.support.tenants import create_tenant

EVENT = b'{"event": "prospects.created", "prospect": {"id": 7}}'


@pytest.fixture
def cli_env(database: DatabaseSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert database.host is not None
    for name, value in {
        "PGHOST": database.host,
        "PGPORT": str(database.port),
        "PGDATABASE": database.dbname,
        "PGUSER": database.owner_user or "postgres",
        "LEADGATE_APP_PGUSER": database.app_user,
        "LEADGATE_SECRET_KEY": TEST_SECRET_KEY,
        "LEADGATE_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(name, value)


def accepted(database: DatabaseSettings, code: str) -> bool:
    return asyncio.run(_accepted(database, code))


async def _accepted(database: DatabaseSettings, code: str) -> bool:
    pool = await open_pool(database.app_conninfo(), min_size=1, max_size=2)
    try:
        await receive_event(
            pool,
            SecretBox.from_secret_key(TEST_SECRET_KEY),
            tenant_slug="acme-lending",
            presented_code=code,
            body=EVENT,
        )
    except EventCodeRejected:
        return False
    finally:
        await pool.close()
    return True


def test_generated_code_is_printed_once_and_accepted_by_the_event_hook(
    cli_env: None, database: DatabaseSettings
) -> None:
    create_tenant(database, "acme-lending")

    result = CliRunner().invoke(bonzo_code, ["acme-lending"])

    assert result.exit_code == 0, result.output
    assert "/bonzo/events/acme-lending" in result.stdout
    code = result.stdout.split("event hook code: ")[1].strip()
    assert len(code) == 32
    assert accepted(database, code)
    assert not accepted(database, code[:-1] + ("A" if code[-1] != "A" else "B"))
    with psycopg.connect(database.owner_conninfo()) as conn:
        [(ciphertext,)] = conn.execute("SELECT code_ciphertext FROM bonzo_event_hooks").fetchall()
    assert code not in ciphertext


def test_code_from_stdin_replaces_the_previous_one_and_is_not_echoed(
    cli_env: None, database: DatabaseSettings
) -> None:
    create_tenant(database, "acme-lending")
    first = CliRunner().invoke(bonzo_code, ["acme-lending"])
    old_code = first.stdout.split("event hook code: ")[1].strip()

    result = CliRunner().invoke(
        bonzo_code, ["acme-lending", "--stdin"], input="code-shown-by-bonzo-0042\n"
    )

    assert result.exit_code == 0, result.output
    assert "code-shown-by-bonzo-0042" not in result.output
    assert accepted(database, "code-shown-by-bonzo-0042")
    assert not accepted(database, old_code)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["nobody"], None, "no active tenant with slug 'nobody'"),
        (["acme-lending", "--stdin"], "short\n", "16-200 printable ASCII characters"),
        (
            ["acme-lending", "--stdin"],
            "has a space in the code\n",
            "16-200 printable ASCII characters",
        ),
    ],
    ids=["unknown-tenant", "too-short", "space"],
)
def test_bad_input_fails_with_a_message_and_no_traceback(
    cli_env: None, database: DatabaseSettings, args: list[str], stdin: str | None, message: str
) -> None:
    create_tenant(database, "acme-lending")

    result = CliRunner().invoke(bonzo_code, args, input=stdin)

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
