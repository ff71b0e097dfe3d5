"""Writers of one file take turns: a waiting writer goes before the one that just wrote.
Two WriterTurn objects stand for two processes (flock locks belong to open files, so two
in one process conflict exactly like two processes)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tenant_auth.core.errors import StorageError
from tenant_auth.core.writer_turn import WriterTurn


def _turn(tmp_path: Path) -> WriterTurn:
    return WriterTurn(str(tmp_path / "tenant.db"), first_delay_s=0.001, max_delay_s=0.005)


def _never_before(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


async def test_waiting_writer_goes_before_the_one_that_just_wrote(tmp_path: Path) -> None:
    busy, waiting = _turn(tmp_path), _turn(tmp_path)
    order: list[str] = []

    async def write(turn: WriterTurn, name: str) -> None:
        async with turn.hold(deadline=_never_before(), on_wait=lambda: None):
            order.append(name)

    first = busy.hold(deadline=_never_before(), on_wait=lambda: None)
    await first.__aenter__()
    order.append("busy")
    waiter = asyncio.create_task(write(waiting, "waiting"))
    await asyncio.sleep(0)  # the waiter now holds the queue lock and polls the writer lock
    await first.__aexit__(None, None, None)
    again = asyncio.create_task(write(busy, "busy again"))

    await asyncio.gather(waiter, again)

    assert order == ["busy", "waiting", "busy again"]


async def test_waiting_past_the_deadline_is_a_busy_error(tmp_path: Path) -> None:
    holder, late = _turn(tmp_path), _turn(tmp_path)
    async with holder.hold(deadline=_never_before(), on_wait=lambda: None):
        with pytest.raises(StorageError) as raised:
            async with late.hold(deadline=time.monotonic(), on_wait=lambda: None):
                pass
    assert raised.value.code == "SQLITE_BUSY"


async def test_cancelled_waiter_leaves_no_lock_behind(tmp_path: Path) -> None:
    holder, cancelled, later = _turn(tmp_path), _turn(tmp_path), _turn(tmp_path)
    async with holder.hold(deadline=_never_before(), on_wait=lambda: None):
        waiter = asyncio.create_task(
            cancelled.hold(deadline=_never_before(), on_wait=lambda: None).__aenter__()
        )
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    async with later.hold(deadline=time.monotonic() + 1, on_wait=lambda: None):
        pass
