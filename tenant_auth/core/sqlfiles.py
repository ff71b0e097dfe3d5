"""SQL kept in ``.sql`` files: named query blocks and migration statements.

A ``queries.sql`` block starts with a ``-- name: some_name`` line and runs to the next
one. Repositories load their file once at import and look statements up by name; a unit
test checks that every name a repository uses exists and every block is used.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

__all__ = ["Queries", "load_queries", "split_statements"]

_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    def __init__(self, blocks: dict[str, str]) -> None:
        self._blocks = blocks

    def __getitem__(self, name: str) -> str:
        return self._blocks[name]

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


def split_statements(script: str) -> list[str]:
    """Split a script into single statements, the way the sqlite3 shell does.

    libSQL executes one statement per call. Splitting on ``;`` would cut a
    ``CREATE TRIGGER ... BEGIN ...; END;`` in two; SQLite's own tokenizer
    (``sqlite3.complete_statement``) knows where a trigger ends.
    """
    statements: list[str] = []
    pending: list[str] = []
    for line in script.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending.append(line)
        candidate = "\n".join(pending)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            pending = []
    if pending:
        raise ValueError(f"incomplete SQL statement at the end of the script: {pending[0]!r}")
    return statements
