"""Size limits per media type (413 with the limit) and the per-key rate limit (429)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from gateway.settings import IngestSettings

from .conftest import LEAD_HEADER, Gateway, lead_json


@pytest.fixture
def ingest_limits() -> IngestSettings:
    return IngestSettings(
        max_json_bytes=1000, max_csv_bytes=5000, max_multipart_bytes=6000, rate_per_s=3
    )


async def test_a_declared_length_over_the_json_limit_is_413_with_the_limit(
    gateway: Gateway,
) -> None:
    body = json.dumps([lead_json(n) for n in range(20)])
    response = await gateway.post(body, key=gateway.acme.ingest)

    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 1000
    assert "1000" in response.json()["detail"]


async def test_a_streamed_body_is_cut_off_at_the_limit_of_its_media_type(gateway: Gateway) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield LEAD_HEADER.encode()
        for n in range(400):
            yield f"LS-{n},Ann,Lee,ann{n}@example.com,\n".encode()

    response = await gateway.client.post(
        "/ingest/leadsource",
        content=chunks(),
        headers={"authorization": f"Bearer {gateway.acme.ingest}", "content-type": "text/csv"},
    )

    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 5000
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(0,)]


async def test_the_same_bytes_as_csv_fit_under_the_csv_limit(gateway: Gateway) -> None:
    body = LEAD_HEADER + "".join(f"LS-{n},Ann,Lee,ann{n}@example.com,\n" for n in range(40))
    response = await gateway.post(body, key=gateway.acme.ingest, content_type="text/csv")

    assert len(body) > 1000
    assert response.status_code == 202


async def test_requests_past_the_rate_are_429_with_retry_after(gateway: Gateway) -> None:
    statuses = []
    for n in range(6):
        response = await gateway.post(json.dumps(lead_json(n)), key=gateway.acme.ingest)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert 1 <= int(response.headers["retry-after"]) <= 1
    assert 429 in statuses
    other_key = await gateway.post(json.dumps(lead_json(99)), key=gateway.beta.ingest)
    assert other_key.status_code == 202, "the limit is per key"
