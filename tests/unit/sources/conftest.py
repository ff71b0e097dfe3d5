"""Fixtures for the source adapter tests: run an adapter over bytes held in memory."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from pipeline.core.records import RawRecord
from pipeline.sources import Layout, SourceItem, get_source


def _read(source: str, data: bytes, *, mapping: Layout | None = None) -> list[SourceItem]:
    return list(get_source(source, mapping=mapping).read(io.BytesIO(data)))


@pytest.fixture
def read() -> Callable[..., list[SourceItem]]:
    """``read(source, data, mapping=None)``: every item the adapter yields."""
    return _read


@pytest.fixture
def read_records() -> Callable[..., list[RawRecord]]:
    """``read_records(source, data, mapping=None)``: the records, asserting none failed."""

    def read(source: str, data: bytes, *, mapping: Layout | None = None) -> list[RawRecord]:
        items = _read(source, data, mapping=mapping)
        records = [item for item in items if isinstance(item, RawRecord)]
        assert records == items
        return records

    return read
