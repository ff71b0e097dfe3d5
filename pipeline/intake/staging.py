"""A vendor stream -> chunks of COPY data for the staging tables (normalized, typed, encoded).

No database round trips, so it can run on a thread ahead of the loader.

Two paths give the same bytes. The reference path reads ``RawRecord``s through the
adapter, runs ``normalize_item`` on each, and has psycopg encode each staged row. The
compiled path, for delimited files, renders chunks of rows straight into binary COPY rows
with a per-file renderer (:mod:`pipeline.intake.copyrender`) and sends any row the
renderer declines (a row of the wrong width, an unreadable row) through the reference
path, in place. JSON input always takes the reference path.

Both give each lead its id and in-chunk duplicate link (:mod:`pipeline.intake.links`) in
record order, once per load chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress
from typing import Any, BinaryIO, Final, NamedTuple

import msgspec
import psycopg
from msgspec.structs import astuple

from pipeline.core.rawrows import RawColumns
from pipeline.core.records import NormalizedLead, RawRecord
from pipeline.intake import repository
from pipeline.intake.copyformat import SIGNATURE, TRAILER, numeric_text, text_field
from pipeline.intake.copyrender import CopyRenderer, RenderedRows, compile_copy_renderer
from pipeline.intake.links import ChunkLinks, IdSource
from pipeline.intake.repository import StagedFailure, StagedLead
from pipeline.normalize import NormalizeConfig, compliance_hold_reason, normalize_item
from pipeline.sources import SourceItem
from pipeline.sources.adapter import SourceAdapter, is_json
from pipeline.sources.delimited import (
    irregular_row,
    open_delimited,
    records,
    regular_rows,
    take_rows,
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
    lead_ids: IdSource,
    compiled: bool = True,
) -> Iterator[StagedChunk]:
    """Check the stream's header now (raising ``SourceFormatError`` as ``adapter.read``
    does) and return an iterator over its records normalized and encoded, ``size``
    records to a chunk (the last may be shorter; no chunk is empty). ``cursor`` lends its
    connection's adapters, see ``repository.encode_staged``.

    ``lead_ids`` gives the leads their ids by record number (``links.batch_lead_ids``).
    ``compiled=False`` sends every record through the reference path.
    """
    decoded = open_text(stream)
    if is_json(decoded.prefix):
        staging = _Staging(cursor, config, RawColumns(), lead_ids)
        return staging.reference(read_json(split_values(decoded.text), adapter.layout), size)
    reader, plan = open_delimited(decoded, adapter.layout)
    # A delimited file's leads' raw cells are named by its header from the start.
    staging = _Staging(cursor, config, RawColumns(plan.mapping.raw_keys), lead_ids)
    renderer = compile_copy_renderer(plan.mapping, config=config) if compiled else None
    if renderer is None or cursor.connection.info.encoding != "utf-8":
        return staging.reference(records(reader, plan), size)
    return staging.compiled(reader, plan, renderer, size)


_LEAD_FIELD_COUNT: Final = repository.LEAD_STAGING_FIELDS.to_bytes(2, "big")


class _Lead(NamedTuple):
    """A lead by the reference path: its lead_staging row but the leading link fields,
    and its dedupe keys as binary COPY text fields (vendor record id, phone, email)."""

    body: StagedLead
    keys: tuple[bytes, bytes, bytes]

    @property
    def record_number(self) -> int:
        """The body's first field, its record number (lead_staging's order)."""
        number: int = self.body[0]
        return number


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


class _Staging:
    """One stream's staging: what both paths share."""

    __slots__ = ("columns", "config", "cursor", "ids")

    def __init__(
        self,
        cursor: Cursor,
        config: NormalizeConfig,
        columns: RawColumns,
        ids: IdSource,
    ) -> None:
        self.cursor = cursor
        self.config = config
        self.columns = columns
        self.ids = ids

    def staged(self, item: SourceItem) -> _Lead | StagedFailure:
        """The reference: a source item as a lead, or as its failed_staging row. A lead's
        ``raw`` is stored as its cells, named by ``columns``."""
        config = self.config
        result = normalize_item(item, config=config)
        if isinstance(result, NormalizedLead):
            assert isinstance(item, RawRecord)
            lead = result.lead
            # Lead order, as lead_staging's columns: source (the batch's) and extra (JSON)
            # go separately.
            fields = astuple(lead)
            staged = (
                result.record,
                compliance_hold_reason(lead, config=config),
                _encode(result.warnings).decode() if result.warnings else "[]",
                self.columns.encode(item.raw).decode(),
                # Amounts and rates (the lead's only floats) go as numeric text.
                *(numeric_text(value) if type(value) is float else value for value in fields[1:-1]),
                _encode(lead.extra).decode() if lead.extra else "{}",
            )
            keys = (
                text_field(lead.source_record_id),
                text_field(lead.phone),
                text_field(lead.email),
            )
            return _Lead(staged, keys)
        return (result.record, _encode(result.errors).decode(), _encode(result.raw).decode())

    def reference(self, items: Iterable[SourceItem], size: int) -> Iterator[StagedChunk]:
        leads: list[StagedLead] = []
        failures: list[StagedFailure] = []
        links = self._links()
        for item in items:
            staged = self.staged(item)
            if isinstance(staged, _Lead):
                leads.append((*links.link(staged.record_number, *staged.keys), *staged.body))
            else:
                failures.append(staged)
            if len(leads) + len(failures) >= size:
                yield self._chunk(leads, failures)
                leads, failures = [], []
                links = self._links()
        if leads or failures:
            yield self._chunk(leads, failures)

    def _links(self) -> ChunkLinks:
        """A load chunk's links."""
        return ChunkLinks(self.ids, prefix=_LEAD_FIELD_COUNT)

    def _chunk(self, leads: list[StagedLead], failures: list[StagedFailure]) -> StagedChunk:
        lead_data, failure_data = repository.encode_staged(self.cursor, leads, failures)
        return StagedChunk(
            leads=lead_data,
            failures=failure_data,
            lead_count=len(leads),
            failure_count=len(failures),
            raw_columns=self.columns.names,
        )

    def _failure_row(self, failure: StagedFailure) -> bytes:
        """A failed record's failed_staging COPY row, as the reference encodes it in a
        chunk."""
        data = repository.encode_staged(self.cursor, [], [failure])[1]
        return data[len(SIGNATURE) : -len(TRAILER)]

    def compiled(
        self,
        reader: Iterator[list[str]],
        plan: ColumnPlan,
        renderer: CopyRenderer,
        size: int,
    ) -> Iterator[StagedChunk]:
        number = 0
        rows = _Rows(self.columns)
        links = self._links()
        while True:
            # Never more rows than the chunk has room for records: a blank row is no
            # record, and an unreadable one stops the read short.
            wanted = min(CHUNK_ROWS, size - len(rows))
            chunk, error = take_rows(reader, wanted)
            if chunk:
                rendered, failed = self._render(chunk, number, plan, renderer, links)
                number += len(rendered)
                rows.add(rendered, failed)
            if error is not None:
                number += 1
                failure = self.staged(row_failure(number, "unreadable_row", str(error), {}))
                assert not isinstance(failure, _Lead)
                rows.add([self._failure_row(failure)], [0])
            if len(rows) >= size:
                yield rows.chunk()
                rows = _Rows(self.columns)
                links = self._links()
            if error is None and len(chunk) < wanted:
                break
        if len(rows):
            yield rows.chunk()

    def _render(
        self,
        chunk: list[list[str]],
        number: int,
        plan: ColumnPlan,
        renderer: CopyRenderer,
        links: ChunkLinks,
    ) -> tuple[list[bytes], list[int]]:
        """The COPY rows of the records in ``chunk``, numbered after ``number``, and the
        positions of the failed ones."""
        rows, irregular = regular_rows(chunk, plan.width)
        if not rows:
            return [], []
        rendered = renderer.render(rows, number + 1)
        if not irregular:
            return _linked(rendered, number + 1, links), rendered.failed
        # Rows of another width take the reference path, in place; links stay in order.
        failures = set(rendered.failed)
        for position, row in irregular.items():
            staged = self.staged(irregular_row(number + 1 + position, row, plan))
            if isinstance(staged, _Lead):
                rendered.rows[position] = repository.encode_staged_lead_body(
                    self.cursor, staged.body
                )
                record_id, phone, email = staged.keys
                rendered.record_ids[position] = record_id
                rendered.phones[position] = phone
                rendered.emails[position] = email
                failures.discard(position)
            else:
                rendered.rows[position] = self._failure_row(staged)
                failures.add(position)
        rendered = rendered._replace(failed=sorted(failures))
        return _linked(rendered, number + 1, links), rendered.failed


def _linked(rendered: RenderedRows, first_number: int, links: ChunkLinks) -> list[bytes]:
    """The rendered rows, numbered from ``first_number``, with each lead's count and link
    fields in front, in order."""
    rows = rendered.rows
    if not rendered.failed:
        numbers = range(first_number, first_number + len(rows))
        heads = links.heads(numbers, rendered.record_ids, rendered.phones, rendered.emails)
        return list(map(bytes.__add__, heads, rows))
    failed = set(rendered.failed)
    leads = [position for position in range(len(rows)) if position not in failed]
    heads = links.heads(
        [first_number + position for position in leads],
        [rendered.record_ids[position] for position in leads],
        [rendered.phones[position] for position in leads],
        [rendered.emails[position] for position in leads],
    )
    out = list(rows)
    for position, head in zip(leads, heads, strict=True):
        out[position] = head + out[position]
    return out
