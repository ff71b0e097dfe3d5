"""Failed records as CSV, for a person to fix and re-send.

Every value a spreadsheet could read as a formula (leading ``= + - @``, tab or carriage
return) is prefixed with an apostrophe: vendor data is untrusted, and a cell like
``=HYPERLINK(...)`` must stay text when the export is opened in Excel.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO
from uuid import UUID

import psycopg

from pipeline.core.db import tenant_transaction_sync
from pipeline.intake import repository

__all__ = ["export_failed_csv", "neutralize_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIXED_COLUMNS = ["batch_id", "record", "source", "error_codes", "errors"]


def neutralize_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_failed_csv(
    conn: psycopg.Connection[Any], out: TextIO, *, tenant_id: UUID, batch_id: UUID | None = None
) -> int:
    """Write the tenant's failed records (one batch, or all) to ``out``; returns the count.

    Columns: batch_id, record, source, error_codes (``;``-separated), errors (``field:
    message`` lines), then the vendor's own columns in the order the files had them.
    """
    with tenant_transaction_sync(conn, tenant_id):
        raw_columns = repository.failed_export_columns(conn, tenant_id=tenant_id, batch_id=batch_id)
        header = _FIXED_COLUMNS + [
            c if c not in _FIXED_COLUMNS else f"raw:{c}" for c in raw_columns
        ]
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralize_cell(c) for c in header])
        count = 0
        for batch, record_number, source, errors, raw in repository.failed_records_for_export(
            conn, tenant_id=tenant_id, batch_id=batch_id
        ):
            codes = ";".join(dict.fromkeys(e["code"] for e in errors))
            messages = "\n".join(f"{e['field']}: {e['message']}" for e in errors)
            row = [str(batch), str(record_number), source, codes, messages]
            row.extend(str(raw.get(column, "")) for column in raw_columns)
            writer.writerow([neutralize_cell(cell) for cell in row])
            count += 1
    return count
