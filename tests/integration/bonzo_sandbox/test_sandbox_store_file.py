"""The optional SQLite store file: prospects and webhooks survive a restart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from gateway.bonzo_sandbox import repository

from .sandbox_helpers import OTHER_WEBHOOK_ID, WEBHOOK_ID, StartSandbox, lead_body


async def _prospects(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await client.get("/_sandbox/prospects")).json()["data"]
    return data


async def test_prospects_and_webhooks_survive_a_restart(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    store = tmp_path / "sandbox.sqlite3"
    async with (
        start_sandbox(store_path=store) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        await client.post(f"/api/webhook/{WEBHOOK_ID}", json=lead_body(notes="first"))
        await client.post("/_sandbox/webhooks", json={"id": OTHER_WEBHOOK_ID, "name": "Triggers"})

    async with (
        start_sandbox(store_path=store, webhooks=()) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        merged = await client.post(
            f"/api/webhook/{OTHER_WEBHOOK_ID}", json=lead_body(notes="second")
        )
        created = await client.post(
            f"/api/webhook/{WEBHOOK_ID}",
            json=lead_body(phone="5555550199", email="new@example.com"),
        )
        prospects = await _prospects(client)

    assert merged.status_code == 200
    assert created.status_code == 200
    assert [p["id"] for p in prospects] == [1, 2]
    assert prospects[0]["notes"] == ["first", "second"]


async def test_reset_empties_the_store_file_too(
    start_sandbox: StartSandbox, tmp_path: Path
) -> None:
    store = tmp_path / "sandbox.sqlite3"
    async with (
        start_sandbox(store_path=store) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        await client.post(f"/api/webhook/{WEBHOOK_ID}", json=lead_body())
        await client.post("/_sandbox/reset")

    async with (
        start_sandbox(store_path=store) as running,
        httpx.AsyncClient(base_url=running.base_url) as client,
    ):
        assert await _prospects(client) == []


def test_every_query_the_repository_uses_exists() -> None:
    source = Path(repository.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'_sql\("(\w+)"\)', source))

    assert used
    assert used <= repository.QUERIES.names()
