"""GET /metrics: Prometheus text from PostgreSQL and Redis at scrape time, served to
loopback scrapers or to holders of the metrics token only."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import msgspec
from arq.worker import Worker

from gateway.app import create_app
from gateway.settings import HttpSettings
from tests.support.http import serve_app

from ..ingest.conftest import Gateway, lead_json


def samples(text: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


async def test_metrics_count_ingest_by_tenant_source_and_status(
    gateway: Gateway, worker: Worker
) -> None:
    good = await gateway.post(json.dumps([lead_json(1), lead_json(2)]), key=gateway.acme.ingest)
    await gateway.post(
        json.dumps({"Lead ID": "x", "First Name": "Nobody"}), key=gateway.beta.ingest
    )
    assert good.status_code == 202
    for _ in range(1200):  # up to 60 s on a loaded machine
        if gateway.owner("SELECT count(*) FROM ingest_batches WHERE status = 'received'") == [(0,)]:
            break
        await asyncio.sleep(0.05)
    gateway.owner(
        "INSERT INTO delivery_attempts (tenant_id, delivery_id, lead_id, attempt_number, trigger, endpoint_hint,"
        " request_payload, status_code, latency_ms, outcome) VALUES"
        " (%s, gen_random_uuid(), gen_random_uuid(), 1, 'auto', 'h', '{}', 200, 40, 'delivered'),"
        " (%s, gen_random_uuid(), gen_random_uuid(), 1, 'auto', 'h', '{}', 503, 700, 'retry'),"
        " (%s, gen_random_uuid(), gen_random_uuid(), 2, 'retry', 'h', '{}', NULL, 5000, 'retry')",
        [gateway.acme.tenant_id] * 3,
    )

    response = await gateway.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert "# TYPE leadgate_ingest_batches_total counter" in text
    found = samples(text)
    assert (
        found[
            'leadgate_ingest_batches_total{tenant="acme-lending",source="leadsource",status="done"}'
        ]
        == 1
    )
    assert (
        found[
            'leadgate_ingest_records_total{tenant="acme-lending",source="leadsource",outcome="ok"}'
        ]
        == 2
    )
    assert (
        found[
            'leadgate_ingest_records_total{tenant="beta-mortgage",source="leadsource",outcome="failed"}'
        ]
        == 1
    )
    assert found['leadgate_delivery_attempts_total{tenant="acme-lending",status_class="2xx"}'] == 1
    assert found['leadgate_delivery_attempts_total{tenant="acme-lending",status_class="5xx"}'] == 1
    assert (
        found['leadgate_delivery_attempts_total{tenant="acme-lending",status_class="error"}'] == 1
    )
    assert found['leadgate_delivery_latency_seconds_bucket{tenant="acme-lending",le="0.05"}'] == 1
    assert found['leadgate_delivery_latency_seconds_bucket{tenant="acme-lending",le="1"}'] == 2
    assert found['leadgate_delivery_latency_seconds_bucket{tenant="acme-lending",le="5"}'] == 3
    assert found['leadgate_delivery_latency_seconds_bucket{tenant="acme-lending",le="+Inf"}'] == 3
    assert found['leadgate_delivery_latency_seconds_sum{tenant="acme-lending"}'] == 5.74
    assert found["leadgate_delivery_due"] >= 0
    assert "leadgate_delivery_oldest_due_seconds" in found
    assert "leadgate_queue_jobs" in found
    assert not re.search(r"@example\.com|555-", text), "aggregates only, never a lead"


async def test_metrics_refuse_a_client_outside_loopback(gateway: Gateway) -> None:
    # uvicorn trusts X-Forwarded-For from loopback: this is what a request proxied from
    # elsewhere looks like.
    response = await gateway.client.get("/metrics", headers={"x-forwarded-for": "203.0.113.7"})

    assert response.status_code == 403


async def test_with_a_token_configured_metrics_need_the_token(
    gateway: Gateway, tmp_path: Path
) -> None:
    settings = msgspec.structs.replace(
        gateway.settings, http=HttpSettings(metrics_token="scrape-token-for-tests")
    )
    async with serve_app(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        right = await client.get(
            "/metrics",
            headers={
                "authorization": "Bearer scrape-token-for-tests",
                "x-forwarded-for": "203.0.113.7",
            },
        )

    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200
