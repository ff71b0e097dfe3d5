"""SQL kept in files: every query a repository names exists and every block is used;
migration scripts split into whole statements, triggers included."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tenant_auth.core.sqlfiles import load_queries, split_statements
from tenant_auth.migrations.runner import REGISTRY_MIGRATIONS, TENANT_MIGRATIONS

MODULES = [
    "tenant_auth.apikeys.repository",
    "tenant_auth.audit.repository",
    "tenant_auth.links.repository",
    "tenant_auth.registry.repository",
    "tenant_auth.users.repository",
    "tenant_auth.migrations.runner",
]


def _names_used(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text())
    return {
        node.slice.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "_SQL"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    }


@pytest.mark.parametrize("module_name", MODULES)
def test_repository_uses_exactly_the_queries_its_file_defines(module_name: str) -> None:
    package = module_name.rsplit(".", 1)[0]
    assert _names_used(module_name) == load_queries(package).names()


def test_trigger_bodies_stay_in_one_statement() -> None:
    script = """
    -- a comment before anything
    CREATE TABLE t (x INTEGER); -- trailing comment
    CREATE TRIGGER t_no_delete BEFORE DELETE ON t
    BEGIN
        SELECT RAISE(ABORT, 'no; really');
    END;
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")


def test_unterminated_statement_is_an_error() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE t (x INTEGER)")


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    for migrations in (REGISTRY_MIGRATIONS, TENANT_MIGRATIONS):
        assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
        assert all(m.statements for m in migrations)
