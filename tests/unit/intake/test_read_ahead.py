"""The read-ahead thread that lets ingest normalize one chunk while the database loads another."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from pipeline.intake.readahead import read_ahead


def test_items_arrive_in_order_and_complete() -> None:
    with read_ahead(iter(range(1000)), depth=2) as items:
        assert list(items) == list(range(1000))


def test_a_source_error_is_raised_where_its_item_would_have_come() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("bad header")

    received: list[int] = []
    with pytest.raises(ValueError, match="bad header"), read_ahead(source(), depth=1) as items:
        received.extend(items)

    assert received == [1, 2]


def test_the_producer_runs_ahead_by_at_most_depth_items() -> None:
    produced: list[int] = []
    waiting = threading.Event()

    def source() -> Iterator[int]:
        for i in range(10):
            produced.append(i)
            if i == 3:
                waiting.set()
            yield i

    with read_ahead(source(), depth=2) as items:
        assert next(items) == 0
        # 1 and 2 fill the queue; 3 is produced and waits for room.
        assert waiting.wait(timeout=5)
        assert produced == [0, 1, 2, 3]


def test_leaving_early_stops_the_producer() -> None:
    def endless() -> Iterator[int]:
        i = 0
        while True:
            yield i
            i += 1

    before = threading.active_count()
    with read_ahead(endless(), depth=2) as items:
        assert next(items) == 0

    assert threading.active_count() == before


def test_the_switch_interval_is_short_while_any_producer_runs() -> None:
    before = sys.getswitchinterval()
    with read_ahead(iter(range(3)), depth=1) as outer:
        assert sys.getswitchinterval() <= 0.0005
        with read_ahead(iter(range(3)), depth=1) as inner:
            assert list(inner) == [0, 1, 2]
        # The inner one stopping leaves the outer one's setting alone.
        assert sys.getswitchinterval() <= 0.0005
        assert list(outer) == [0, 1, 2]

    assert sys.getswitchinterval() == before


def test_the_switch_interval_comes_back_when_the_source_fails() -> None:
    def failing() -> Iterator[int]:
        yield from ()
        raise ValueError("unreadable")

    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="unreadable"), read_ahead(failing(), depth=1) as items:
        list(items)

    assert sys.getswitchinterval() == before
