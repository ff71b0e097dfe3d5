from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import cli
from pipeline.core.settings import DatabaseSettings
from tests.support.settings import TEST_SECRET_KEY
from tests.support.tenants import create_tenant


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


def test_ingest_prints_counts_and_failed_export_writes_csv(
    cli_env: None, database: DatabaseSettings, tmp_path: Path
) -> None:
    create_tenant(database, "acme-lending")
    file = tmp_path / "leads.csv"
    file.write_text(
        "Lead ID,First Name,Last Name,Email,Pri. Phone\nLS-1,Ann,Lee,ann@example.com,\nLS-2,Bob,,,\n"
    )
    runner = CliRunner()

    first = runner.invoke(
        cli, ["ingest", "--tenant", "acme-lending", "--source", "leadsource", str(file)]
    )
    again = runner.invoke(
        cli, ["ingest", "--tenant", "acme-lending", "--source", "leadsource", str(file)]
    )
    export = runner.invoke(cli, ["failed", "export", "--tenant", "acme-lending"])

    assert first.exit_code == 0, first.output
    assert "2 records: 1 ok, 1 failed, 0 duplicate, 0 held" in first.output
    assert "already ingested" in again.output
    assert export.exit_code == 0, export.output
    assert "contact_required" in export.stdout
    assert export.stdout.splitlines()[0].startswith("batch_id,record,source,error_codes,errors")


def test_ingest_for_an_unknown_tenant_fails_clearly(cli_env: None, tmp_path: Path) -> None:
    file = tmp_path / "leads.csv"
    file.write_text("Lead ID,First Name\nLS-1,Ann\n")

    result = CliRunner().invoke(
        cli, ["ingest", "--tenant", "nobody", "--source", "leadsource", str(file)]
    )

    assert result.exit_code != 0
    assert "no active tenant with slug 'nobody'" in result.output
    assert "Traceback" not in result.output
