from __future__ import annotations

from pathlib import Path

import httpx

from gateway.app import create_app
from gateway.runtime.embedded import start_embedded_postgres
from pipeline.core.migrate import ensure_database, migrate
from pipeline.core.settings import DatabaseSettings
from tests.support.http import serve_app
from tests.support.settings import make_settings


async def test_readyz_is_ready_with_every_dependency_up(
    tmp_path: Path, database: DatabaseSettings, redis_url: str
) -> None:
    settings = make_settings(tmp_path, database, redis_url)
    async with serve_app(create_app(settings)) as base, httpx.AsyncClient(base_url=base) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")

    assert health.status_code == 200
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgres": "ok", "redis": "ok", "registry": "ok"}


async def test_readyz_names_postgres_when_it_is_stopped(tmp_path: Path, redis_url: str) -> None:
    embedded = start_embedded_postgres(
        tmp_path / "pg",
        DatabaseSettings(host=None, dbname="leadgate", app_user="leadgate_test_app"),
    )
    try:
        db = embedded.database
        await ensure_database(db.owner_conninfo(dbname="postgres"), db.dbname)
        await migrate(db.owner_conninfo(), app_user=db.app_user, app_password=None)
        settings = make_settings(tmp_path, db, redis_url)
        async with (
            serve_app(create_app(settings)) as base,
            httpx.AsyncClient(base_url=base, timeout=15) as client,
        ):
            assert (await client.get("/readyz")).status_code == 200

            embedded.server_ctl(["-w", "-m", "immediate", "stop"])
            response = await client.get("/readyz")
            still_alive = await client.get("/healthz")
    finally:
        embedded.stop()

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["checks"]["postgres"] != "ok"
    assert body["checks"]["redis"] == "ok"
    assert "postgres" in body["detail"]
    assert still_alive.status_code == 200


async def test_unknown_route_and_wrong_method_are_problem_details_with_request_id(
    tmp_path: Path, database: DatabaseSettings, redis_url: str
) -> None:
    settings = make_settings(tmp_path, database, redis_url)
    async with serve_app(create_app(settings)) as base, httpx.AsyncClient(base_url=base) as client:
        missing = await client.get("/no-such-page", headers={"x-request-id": "trace-123"})
        wrong_method = await client.delete("/healthz")

    assert missing.status_code == 404
    assert missing.headers["x-request-id"] == "trace-123"
    assert missing.json() == {
        "type": "urn:leadgate:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "request_id": "trace-123",
    }
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("application/problem+json")
