from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest

from .world import World

LISTS = ["/api/leads", "/api/failed-records", "/api/deliveries"]


async def problem(
    world: World, path: str, *, scope: str | None = "read", **params: Any
) -> tuple[int, str]:
    headers = {} if scope is None else world.acme.auth(scope)
    response = await world.client.get(path, params=params, headers=headers)
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert body["request_id"]
    return response.status_code, body["type"].removeprefix("urn:leadgate:problem:")


@pytest.mark.parametrize("path", [*LISTS, f"/api/leads/{uuid.uuid4()}", "/api/failed-records.csv"])
async def test_read_endpoints_need_a_key_with_the_read_scope(world: World, path: str) -> None:
    assert await problem(world, path, scope=None) == (401, "unauthorized")
    assert await problem(world, path, scope="ingest") == (403, "forbidden")
    response = await world.client.get(path, headers={"authorization": "Bearer lg_not_a_real_key"})
    assert response.status_code == 401


MALFORMED_CURSORS = {
    "garbage": "garbage",
    "not-base64": "%%%%",
    "naive-time": b'["leads","2026-01-01T00:00:00","00000000-0000-0000-0000-000000000000",1]',
    "bad-uuid": b'["leads","2026-01-01T00:00:00Z","not-a-uuid",1]',
    "negative-record": b'["leads","2026-01-01T00:00:00Z","00000000-0000-0000-0000-000000000000",-1]',
    "not-utf8": b"\xff\xfe",
    "too-long": "A" * 300,
}


@pytest.mark.parametrize("path", LISTS)
async def test_malformed_cursor_is_a_400(world: World, path: str) -> None:
    for name, cursor in MALFORMED_CURSORS.items():
        text = cursor if isinstance(cursor, str) else base64.urlsafe_b64encode(cursor).decode()
        assert (await problem(world, path, cursor=text))[0] == 400, name


async def test_one_lists_cursor_is_refused_by_another(world: World) -> None:
    await world.ingest(
        world.acme, [f"LS-{n},Ann{n},Lee,a{n}@example.com,555-234-010{n},MA" for n in range(3)]
    )
    page = (
        await world.client.get("/api/leads", params={"limit": 1}, headers=world.acme.auth())
    ).json()

    assert await problem(world, "/api/failed-records", cursor=page["next_cursor"]) == (
        400,
        "invalid-cursor",
    )
    assert await problem(world, "/api/deliveries", cursor=page["next_cursor"]) == (
        400,
        "invalid-cursor",
    )


MALFORMED_QUERIES = [
    ("/api/leads", {"limit": 0}),
    ("/api/leads", {"limit": 201}),
    ("/api/leads", {"limit": "ten"}),
    ("/api/leads", {"status": "lost"}),
    ("/api/leads", {"state": "Massachusetts"}),
    ("/api/leads", {"source": "Experian"}),
    ("/api/leads", {"source": "a\x00b"}),
    ("/api/leads", {"since": "yesterday"}),
    ("/api/leads", {"until": "2026-01-01"}),
    ("/api/leads", {"batch_id": "42"}),
    ("/api/leads", {"cursor": ""}),
    ("/api/failed-records", {"batch_id": "not-a-uuid"}),
    ("/api/failed-records", {"since": "2026-13-01T00:00:00Z"}),
    ("/api/deliveries", {"status": "lost"}),
    ("/api/failed-records.csv", {"batch_id": "not-a-uuid"}),
]


async def test_malformed_query_parameters_are_a_400(world: World) -> None:
    for path, params in MALFORMED_QUERIES:
        assert (await problem(world, path, **params))[0] == 400, (path, params)


@pytest.mark.parametrize("path", [*LISTS, "/api/failed-records.csv"])
async def test_unknown_batch_filter_is_a_404(world: World, path: str) -> None:
    assert await problem(world, path, batch_id=str(uuid.uuid4())) == (404, "batch-not-found")


async def test_unknown_lead_is_a_404_and_a_malformed_id_does_not_route(world: World) -> None:
    assert await problem(world, f"/api/leads/{uuid.uuid4()}") == (404, "lead-not-found")
    assert (await problem(world, "/api/leads/not-a-uuid"))[0] == 404
    assert (await problem(world, "/api/leads/%00"))[0] == 404
