"""A vendor stream -> chunks of COPY data for the staging tables (normalized, typed, encoded).

No database round trips, so it can run on a thread ahead of the loader.

Two paths give the same bytes. The reference path reads ``RawRecord``s through the
adapter, runs ``normalize_item`` on each, and has psycopg encode each staged row. The
compiled path, for delimited files, renders chunks of rows straight into binary COPY rows
with a per-file renderer (:mod:`pipeline.intake.copyrender`) and sends any row the
renderer declines (a row of the wrong width, an unreadable row) through the reference
path, in place. JSON input always takes the reference path.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, islice
from typing import Any, BinaryIO

import msgspec
import psycopg
from msgspec.structs import astuple

from pipeline.core.rawrows import RawColumns
from pipeline.core.records import NormalizedLead, RawRecord
from pipeline.intake import repository
from pipeline.intake.copyformat import SIGNATURE, TRAILER
from pipeline.intake.copyrender import CopyRenderer, compile_copy_renderer
from pipeline.intake.repository import StagedFailure, StagedLead
from pipeline.normalize import NormalizeConfig, compliance_hold_reason, normalize_item
from pipeline.sources import SourceItem
from pipeline.sources.adapter import SourceAdapter, is_json
from pipeline.sources.delimited import (
    irregular_row,
    open_delimited,
    records,
    regular_rows,
)
from pipeline.sources.encoding import open_text
from pipeline.sources.issues import row_failure
from pipeline.sources.jsonrecords import read_json
from pipeline.sources.jsonstream import split_values
from pipeline.sources.layout import ColumnPlan
from pipeline.sources.lines import CHUNK_ROWS

__all__ = ["StagedChunk", "staged_chunks"]

_encode = msgspec.json.Encoder().encode
Cursor = psycopg.Cursor[Any]


@dataclass(slots=True)
class StagedChunk:
    """One chunk's staging rows as COPY data, with how many records each holds."""

    leads: bytes
    failures: bytes
    lead_count: int
    failure_count: int
    raw_columns: tuple[str, ...]
    """The names of the cells in the leads' ``raw`` so far (see :mod:`pipeline.core.rawrows`): the
    batch's, once its last chunk is staged."""


def staged_chunks(
    cursor: Cursor,
    adapter: SourceAdapter,
    stream: BinaryIO,
    *,
    config: NormalizeConfig,
    size: int,
    compiled: bool = True,
) -> Iterator[StagedChunk]:
    """Check the stream's header now (raising ``SourceFormatError`` as ``adapter.read``
    does) and return an iterator over its records normalized and encoded, ``size``
    records to a chunk (the last may be shorter; no chunk is empty). ``cursor`` lends its
    connection's adapters, see ``repository.encode_staged``.

    ``compiled=False`` sends every record through the reference path.
    """
    decoded = open_text(stream)
    if is_json(decoded.prefix):
        return _reference(
            cursor,
            read_json(split_values(decoded.text), adapter.layout),
            config,
            size,
            RawColumns(),
        )
    reader, plan = open_delimited(decoded, adapter.layout)
    # A delimited file's leads' raw cells are named by its header from the start.
    columns = RawColumns(plan.mapping.raw_keys)
    renderer = compile_copy_renderer(plan.mapping, config=config) if compiled else None
    if renderer is None or cursor.connection.info.encoding != "utf-8":
        return _reference(cursor, records(reader, plan), config, size, columns)
    return _compiled(cursor, reader, plan, renderer, config, size, columns)


def _staged(
    item: SourceItem, config: NormalizeConfig, columns: RawColumns
) -> tuple[StagedLead, None] | tuple[None, StagedFailure]:
    """The reference: a source item's lead_staging row, or its failed_staging row. A
    lead's ``raw`` is stored as its cells, named by ``columns``."""
    result = normalize_item(item, config=config)
    if isinstance(result, NormalizedLead):
        assert isinstance(item, RawRecord)
        lead = result.lead
        # Lead order, as lead_staging's columns: source (the batch's) and extra (JSON) go
        # separately.
        fields = astuple(lead)
        staged = (
            result.record,
            compliance_hold_reason(lead, config=config),
            _encode(result.warnings).decode() if result.warnings else "[]",
            columns.encode(item.raw).decode(),
            *fields[1:-1],
            _encode(lead.extra).decode() if lead.extra else "{}",
        )
        return staged, None
    return None, (result.record, _encode(result.errors).decode(), _encode(result.raw).decode())


def _reference(
    cursor: Cursor,
    items: Iterable[SourceItem],
    config: NormalizeConfig,
    size: int,
    columns: RawColumns,
) -> Iterator[StagedChunk]:
    leads: list[StagedLead] = []
    failures: list[StagedFailure] = []
    for item in items:
        lead, failure = _staged(item, config, columns)
        if lead is not None:
            leads.append(lead)
        else:
            assert failure is not None
            failures.append(failure)
        if len(leads) + len(failures) >= size:
            yield _chunk(cursor, leads, failures, columns)
            leads, failures = [], []
    if leads or failures:
        yield _chunk(cursor, leads, failures, columns)


def _chunk(
    cursor: Cursor, leads: list[StagedLead], failures: list[StagedFailure], columns: RawColumns
) -> StagedChunk:
    lead_data, failure_data = repository.encode_staged(cursor, leads, failures)
    return StagedChunk(
        leads=lead_data,
        failures=failure_data,
        lead_count=len(leads),
        failure_count=len(failures),
        raw_columns=columns.names,
    )


def _reference_row(
    cursor: Cursor, item: SourceItem, config: NormalizeConfig, columns: RawColumns
) -> tuple[bytes, bool]:
    """One item's COPY row by the reference path, and whether it is a failed_staging row."""
    lead, failure = _staged(item, config, columns)
    data = repository.encode_staged(cursor, [lead] if lead else [], [failure] if failure else [])
    row = data[0] if lead is not None else data[1]
    return row[len(SIGNATURE) : -len(TRAILER)], lead is None


class _Rows:
    """The COPY rows of the chunk being filled."""

    __slots__ = ("columns", "failures", "leads")

    def __init__(self, columns: RawColumns) -> None:
        self.leads: list[bytes] = []
        self.failures: list[bytes] = []
        self.columns = columns

    def __len__(self) -> int:
        return len(self.leads) + len(self.failures)

    def add(self, rows: list[bytes], failed: list[int]) -> None:
        if not failed:
            self.leads += rows
            return
        is_lead = [True] * len(rows)
        for position in failed:
            is_lead[position] = False
        self.leads += compress(rows, is_lead)
        self.failures += [rows[position] for position in failed]

    def chunk(self) -> StagedChunk:
        return StagedChunk(
            leads=b"".join([SIGNATURE, *self.leads, TRAILER]),
            failures=b"".join([SIGNATURE, *self.failures, TRAILER]),
            lead_count=len(self.leads),
            failure_count=len(self.failures),
            raw_columns=self.columns.names,
        )


def _compiled(
    cursor: Cursor,
    reader: Iterator[list[str]],
    plan: ColumnPlan,
    renderer: CopyRenderer,
    config: NormalizeConfig,
    size: int,
    columns: RawColumns,
) -> Iterator[StagedChunk]:
    number = 0
    rows = _Rows(columns)
    while True:
        # Never more rows than the chunk has room for records: a blank row is no record,
        # and an unreadable one stops the read short.
        wanted = min(CHUNK_ROWS, size - len(rows))
        chunk: list[list[str]] = []
        error: csv.Error | None = None
        try:
            # extend() keeps the rows read before a row the csv module cannot parse.
            chunk.extend(islice(reader, wanted))
        except csv.Error as caught:
            error = caught
        if chunk:
            rendered, failed = _render(cursor, chunk, number, plan, renderer, config, columns)
            number += len(rendered)
            rows.add(rendered, failed)
        if error is not None:
            number += 1
            failure = row_failure(number, "unreadable_row", str(error), {})
            row, _ = _reference_row(cursor, failure, config, columns)
            rows.add([row], [0])
        if len(rows) >= size:
            yield rows.chunk()
            rows = _Rows(columns)
        if error is None and len(chunk) < wanted:
            break
    if len(rows):
        yield rows.chunk()


def _render(
    cursor: Cursor,
    chunk: list[list[str]],
    number: int,
    plan: ColumnPlan,
    renderer: CopyRenderer,
    config: NormalizeConfig,
    columns: RawColumns,
) -> tuple[list[bytes], list[int]]:
    """The COPY rows of the records in ``chunk``, numbered after ``number``, and the
    positions of the failed ones."""
    rows, irregular = regular_rows(chunk, plan.width)
    if not rows:
        return [], []
    rendered, failed = renderer.render(rows, number + 1)
    if irregular:
        failures = set(failed)
        for position, row in irregular.items():
            item = irregular_row(number + 1 + position, row, plan)
            rendered[position], is_failure = _reference_row(cursor, item, config, columns)
            if is_failure:
                failures.add(position)
            else:
                failures.discard(position)
        failed = sorted(failures)
    return rendered, failed
