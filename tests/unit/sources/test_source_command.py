"""``leadgate normalize``: the JSON-lines output contract, exit statuses and --summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.sources.command import normalize_command

LEAD_KEYS = [
    "source", "source_record_id", "lead_kind", "first_name", "last_name", "email", "phone",
    "alt_phones", "address", "city", "state", "zip", "credit_score", "credit_grade",
    "property_value", "loan_balance", "current_rate", "monthly_payment", "second_balance",
    "second_rate", "additional_cash", "down_payment", "ltv", "bid_loan_value", "cash_out",
    "found_home", "va_eligible", "has_second_mortgage", "loan_type", "loan_purpose",
    "property_type", "property_use", "mortgage_open_date", "trigger_date", "consent_url",
    "extra",
]  # fmt: skip

TRANSUNION_FILE = (
    "Perm_ID|First_Name|Last_Name|Phone_Number|State|Segment\r\n"
    "TU1|Mary|Smith|(555) 234-5678|IL|B2\r\n"
    "TU2||Jones|5552345679|TX|\r\n"
    "TU3|John|Doe|5552345670\r\n"
    "TU4|Renée|García|555.234.5671|Texas|A1\r\n"
).encode("cp1252")


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.fixture
def transunion_file(tmp_path: Path) -> Path:
    path = tmp_path / "triggers.csv"
    path.write_bytes(TRANSUNION_FILE)
    return path


def test_output_is_one_json_object_per_record_in_input_order(transunion_file: Path) -> None:
    result = CliRunner().invoke(normalize_command, ["--source", "transunion", str(transunion_file)])

    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [(line["record"], line["status"]) for line in out] == [
        (1, "ok"),
        (2, "failed"),
        (3, "failed"),
        (4, "ok"),
    ]
    ok = out[0]
    assert list(ok) == ["record", "status", "lead", "warnings"]
    assert list(ok["lead"]) == LEAD_KEYS
    assert ok["lead"]["source"] == "transunion"
    assert ok["lead"]["source_record_id"] == "TU1"
    assert ok["lead"]["lead_kind"] == "trigger"
    assert ok["lead"]["extra"] == {"Segment": "B2"}
    assert ok["lead"]["email"] is None
    assert out[3]["lead"]["first_name"] == "Renée"


def test_failed_record_carries_every_error_and_the_raw_row(transunion_file: Path) -> None:
    result = CliRunner().invoke(normalize_command, ["--source", "transunion", str(transunion_file)])

    no_name, short_row = lines(result.stdout)[1:3]
    assert list(no_name) == ["record", "status", "errors", "raw"]
    assert all(list(error) == ["field", "code", "message"] for error in no_name["errors"])
    assert "first_name_required" in [error["code"] for error in no_name["errors"]]
    assert no_name["raw"]["Perm_ID"] == "TU2"
    assert [error["code"] for error in short_row["errors"]] == ["wrong_field_count"]
    assert short_row["raw"]["Phone_Number"] == "5552345670"


def test_summary_counts_statuses_and_error_codes_on_stderr(transunion_file: Path) -> None:
    result = CliRunner().invoke(
        normalize_command, ["--source", "transunion", "--summary", str(transunion_file)]
    )

    assert result.exit_code == 0
    assert "records: 4\nok: 2\nfailed: 2\n" in result.stderr
    assert "  wrong_field_count: 1\n" in result.stderr
    assert "  first_name_required: 1\n" in result.stderr
    assert len(lines(result.stdout)) == 4


def test_generic_source_reads_json_from_stdin_with_a_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "acme.toml"
    mapping.write_text('first_name = "name"\nphone = "tel"\n')
    body = '[{"name": "Mary", "tel": "555-234-5678"}, {"name": "John", "tel": "n/a"}]'

    result = CliRunner().invoke(
        normalize_command,
        ["--source", "generic", "--mapping", str(mapping), "-"],
        input=body,
    )

    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [line["record"] for line in out] == [1, 2]
    assert out[0]["lead"]["source"] == "generic"
    assert out[0]["lead"]["first_name"] == "Mary"


def test_file_of_another_vendor_exits_non_zero_naming_the_columns(transunion_file: Path) -> None:
    result = CliRunner().invoke(normalize_command, ["--source", "experian", str(transunion_file)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "experian: none of the expected columns were found" in result.stderr
    assert "'Perm_ID'" in result.stderr


def test_unknown_source_exits_non_zero_listing_the_known_ones(transunion_file: Path) -> None:
    result = CliRunner().invoke(normalize_command, ["--source", "equifax", str(transunion_file)])

    assert result.exit_code == 2
    assert "'equifax' is not one of 'experian', 'transunion', 'leadsource', 'generic'" in (
        result.stderr
    )


def test_missing_file_exits_non_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        normalize_command, ["--source", "experian", str(tmp_path / "missing.csv")]
    )

    assert result.exit_code == 2
    assert "No such file or directory" in result.stderr


def test_generic_source_without_mapping_exits_non_zero(transunion_file: Path) -> None:
    result = CliRunner().invoke(normalize_command, ["--source", "generic", str(transunion_file)])

    assert result.exit_code == 1
    assert "needs a mapping" in result.stderr


def test_module_runs_as_a_command(transunion_file: Path) -> None:
    command = ["-m", "pipeline.sources.command", "--source", "transunion", "--summary"]
    completed = subprocess.run(
        [sys.executable, *command, str(transunion_file)], capture_output=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert [line["record"] for line in lines(completed.stdout.decode())] == [1, 2, 3, 4]
    assert completed.stderr.decode().startswith("records: 4\n")
