"""What the intake tests share: a connection as the app role and a fresh tenant."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
import pytest

from pipeline.core.settings import DatabaseSettings
from tests.support.tenants import create_tenant


@pytest.fixture
def app_conn(database: DatabaseSettings) -> Any:
    with psycopg.connect(database.app_conninfo()) as conn:
        yield conn


@pytest.fixture
def tenant(database: DatabaseSettings) -> UUID:
    return create_tenant(database, "acme-lending")
