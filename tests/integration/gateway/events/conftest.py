from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pipeline.core.settings import DatabaseSettings

from ..leads.world import World, running_world


@pytest.fixture
async def world(tmp_path: Path, database: DatabaseSettings, redis_url: str) -> AsyncIterator[World]:
    async with running_world(tmp_path, database, redis_url) as running:
        yield running
