"""Named SQL blocks loaded from a feature's ``queries.sql``.

A block starts with a ``-- name: some_name`` line and runs to the next one. Repositories
load their file once at import and look statements up by name; a unit test checks that
every name a repository uses exists.
"""

from __future__ import annotations

import re
from importlib import resources

__all__ = ["Queries", "load_queries"]

_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    def __init__(self, blocks: dict[str, str]) -> None:
        self._blocks = blocks

    def __getitem__(self, name: str) -> bytes:
        # bytes: psycopg accepts them as a query, and it keeps file-loaded SQL distinct
        # from strings that could have been assembled from input.
        return self._blocks[name].encode()

    def names(self) -> frozenset[str]:
        return frozenset(self._blocks)


def load_queries(package: str, filename: str = "queries.sql") -> Queries:
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    parts = _NAME_LINE.split(text)
    # parts = [preamble, name1, body1, name2, body2, ...]
    blocks: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in blocks:
            raise ValueError(f"{package}/{filename}: query {name!r} defined twice")
        statement = body.strip()
        if not statement:
            raise ValueError(f"{package}/{filename}: query {name!r} is empty")
        blocks[name] = statement
    return Queries(blocks)
