from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.core.queries import Queries, load_queries

REPO = Path(__file__).resolve().parents[3]


def _packages_with_queries() -> list[str]:
    return sorted(
        ".".join(path.parent.relative_to(REPO).parts)
        for top in ("pipeline",)
        for path in (REPO / top).rglob("queries.sql")
        if (path.parent / "repository.py").exists()
        and "load_queries(" in (path.parent / "repository.py").read_text()
    )


@pytest.mark.parametrize("package", _packages_with_queries())
def test_every_query_a_repository_uses_exists(package: str) -> None:
    queries = load_queries(package)
    repository = (REPO / package.replace(".", "/") / "repository.py").read_text()
    used = set(re.findall(r'\bqueries\["([a-z_0-9]+)"\]', repository, flags=re.IGNORECASE))

    assert used, f"{package}/repository.py uses no named query"
    assert used <= queries.names(), f"missing in queries.sql: {sorted(used - queries.names())}"
    assert queries.names() <= used, f"unused queries: {sorted(queries.names() - used)}"


def test_blocks_are_split_on_name_lines() -> None:
    queries = Queries({"a": "SELECT 1"})
    assert queries["a"] == b"SELECT 1"
    with pytest.raises(KeyError):
        queries["b"]
