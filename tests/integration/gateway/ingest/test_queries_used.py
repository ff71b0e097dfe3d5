"""Every named query the gateway's ingest and metrics repositories use exists, and none
is left unused (the pipeline packages have the same check in tests/unit/foundation)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.core.queries import load_queries

REPO = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("package", ["gateway.ingest", "gateway.metrics"])
def test_the_repository_uses_exactly_the_queries_its_file_defines(package: str) -> None:
    queries = load_queries(package)
    repository = (REPO / package.replace(".", "/") / "repository.py").read_text()
    used = set(re.findall(r'\bqueries\["([a-z_0-9]+)"\]', repository))

    assert used == queries.names()
