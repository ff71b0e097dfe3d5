"""Source items -> chunks of COPY data for the staging tables (normalized, typed, encoded).

No database round trips, so it can run on a thread ahead of the loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec
import psycopg
from msgspec.structs import astuple

from pipeline.core.records import NormalizedLead, RawRecord
from pipeline.intake import repository
from pipeline.intake.repository import StagedFailure, StagedLead
from pipeline.normalize import NormalizeConfig, compliance_hold_reason, normalize_item
from pipeline.sources import SourceItem

__all__ = ["StagedChunk", "staged_chunks"]

_encode = msgspec.json.Encoder().encode


@dataclass(slots=True)
class StagedChunk:
    """One chunk's staging rows as COPY data, with how many records each holds."""

    leads: bytes
    failures: bytes
    lead_count: int
    failure_count: int


def staged_chunks(
    cursor: psycopg.Cursor[Any],
    items: Iterable[SourceItem],
    *,
    config: NormalizeConfig,
    size: int,
) -> Iterator[StagedChunk]:
    """Normalize ``items`` and encode them ``size`` records to a chunk (the last may be
    shorter; no chunk is empty). ``cursor`` lends its connection's adapters, see
    ``repository.encode_staged``."""
    leads: list[StagedLead] = []
    failures: list[StagedFailure] = []
    for item in items:
        result = normalize_item(item, config=config)
        if isinstance(result, NormalizedLead):
            assert isinstance(item, RawRecord)
            lead = result.lead
            # Lead order, as lead_staging's columns: source (the batch's) and extra (JSON)
            # go separately.
            fields = astuple(lead)
            leads.append(
                (
                    result.record,
                    compliance_hold_reason(lead, config=config),
                    _encode(result.warnings).decode() if result.warnings else "[]",
                    _encode(item.raw).decode(),
                    *fields[1:-1],
                    _encode(lead.extra).decode() if lead.extra else "{}",
                )
            )
        else:
            failures.append(
                (result.record, _encode(result.errors).decode(), _encode(result.raw).decode())
            )
        if len(leads) + len(failures) >= size:
            yield _chunk(cursor, leads, failures)
            leads, failures = [], []
    if leads or failures:
        yield _chunk(cursor, leads, failures)


def _chunk(
    cursor: psycopg.Cursor[Any], leads: list[StagedLead], failures: list[StagedFailure]
) -> StagedChunk:
    lead_data, failure_data = repository.encode_staged(cursor, leads, failures)
    return StagedChunk(
        leads=lead_data,
        failures=failure_data,
        lead_count=len(leads),
        failure_count=len(failures),
    )
