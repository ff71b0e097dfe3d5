"""POST /ingest/{source} and GET /ingest/batches/{id} over real HTTP: what is accepted,
what is refused with which status, and what the tenant sees afterwards."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from arq.worker import Worker

from .conftest import LEAD_HEADER, Gateway, lead_json


async def wait_for_status(
    gateway: Gateway, status_url: str, key: str, *, until: str = "done"
) -> dict:
    deadline = time.monotonic() + 60  # a bound for a loaded machine, not a speed claim
    while True:
        body = (
            await gateway.client.get(status_url, headers={"authorization": f"Bearer {key}"})
        ).json()
        if body["status"] == until or time.monotonic() > deadline:
            return body
        await asyncio.sleep(0.05)


async def test_a_single_json_lead_is_stored_before_202_and_processed(
    gateway: Gateway, worker: Worker
) -> None:
    response = await gateway.post(json.dumps(lead_json()), key=gateway.acme.ingest)

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"batch_id", "status_url"}
    assert response.headers["location"] == body["status_url"]
    stored = gateway.owner(
        "SELECT tenant_id, channel FROM ingest_batches WHERE id = %s", [body["batch_id"]]
    )
    assert stored == [(gateway.acme.tenant_id, "api")]
    status = await wait_for_status(gateway, body["status_url"], gateway.acme.ingest)
    assert status["status"] == "done"
    assert status["records"] == {"total": 1, "ok": 1, "failed": 0, "duplicate": 0, "held": 0}
    assert status["deliveries"]["total"] == 1


async def test_a_json_array_json_lines_csv_and_a_multipart_file_are_each_one_batch(
    gateway: Gateway, worker: Worker
) -> None:
    key = gateway.acme.ingest
    array = await gateway.post(json.dumps([lead_json(1), lead_json(2)]), key=key)
    lines = await gateway.post(
        "\n".join(json.dumps(lead_json(n)) for n in (3, 4, 5)) + "\n",
        key=key,
        content_type="application/x-ndjson",
    )
    csv = await gateway.post(
        LEAD_HEADER + "LS-c1,Ann,Lee,ann.c1@example.com,\n", key=key, content_type="text/csv"
    )
    upload = await gateway.client.post(
        "/ingest/leadsource",
        files={
            "file": (
                "leads.csv",
                (LEAD_HEADER + "LS-m1,Bo,Ray,bo.m1@example.com,\n").encode(),
                "text/csv",
            )
        },
        headers={"authorization": f"Bearer {key}"},
    )

    totals = []
    for response in (array, lines, csv, upload):
        assert response.status_code == 202, response.text
        status = await wait_for_status(gateway, response.json()["status_url"], key)
        totals.append(status["records"]["ok"])
    assert totals == [2, 3, 1, 1]
    assert gateway.owner(
        "SELECT filename FROM ingest_batches WHERE id = %s", [upload.json()["batch_id"]]
    ) == [("leads.csv",)]


async def test_records_that_fail_are_counted_by_error_code_not_refused(
    gateway: Gateway, worker: Worker
) -> None:
    no_contact = {"Lead ID": "LS-x", "First Name": "Nobody"}
    response = await gateway.post(
        json.dumps([lead_json(), no_contact, [1, 2]]), key=gateway.acme.ingest
    )

    assert response.status_code == 202
    status = await wait_for_status(gateway, response.json()["status_url"], gateway.acme.ingest)
    assert status["records"]["ok"] == 1
    assert status["records"]["failed"] == 2
    assert status["errors"]["not_an_object"] == 1
    assert sum(status["errors"].values()) >= 2


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"", "application/json", "empty-body"),
        (b'{"Lead ID": "1", "Email": ', "application/json", "invalid-json"),
        (b'{"Lead ID": "1"} trailing', "application/json", "invalid-json"),
        (b'"just a string"', "application/json", "invalid-json"),
        (b'{"First Name": "Ren\xe9e"}', "application/json", "invalid-encoding"),
        (b'{"Lead ID": "1"}\n\xff\xfe\n', "application/x-ndjson", "invalid-encoding"),
        (b"Lead ID,Email\n1,\xe9@example.com\n", "text/csv; charset=utf-8", "invalid-encoding"),
        (b'[{"Lead ID": "1"}]', "text/csv", "invalid-csv"),
        (b"not json at all\n", "application/x-ndjson", "invalid-json"),
    ],
)
async def test_a_body_that_is_not_what_its_media_type_says_is_400_and_not_stored(
    gateway: Gateway, body: bytes, content_type: str, problem: str
) -> None:
    response = await gateway.post(body, key=gateway.acme.ingest, content_type=content_type)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:leadgate:problem:{problem}"
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(0,)]


async def test_a_cp1252_csv_without_a_declared_charset_is_accepted(gateway: Gateway) -> None:
    body = (LEAD_HEADER + "LS-1,Ren\xe9e,Lee,renee@example.com,\n").encode("cp1252")
    response = await gateway.post(body, key=gateway.acme.ingest, content_type="text/csv")

    assert response.status_code == 202


async def test_a_body_with_none_of_the_sources_columns_is_422(gateway: Gateway) -> None:
    response = await gateway.post(
        b"colour,size\nred,9\n", key=gateway.acme.ingest, content_type="text/csv"
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:leadgate:problem:source-format"
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(0,)]


async def test_an_unsupported_media_type_or_encoding_is_415(gateway: Gateway) -> None:
    xml = await gateway.post(b"<lead/>", key=gateway.acme.ingest, content_type="application/xml")
    gzip = await gateway.post(
        b"\x1f\x8b", key=gateway.acme.ingest, headers={"content-encoding": "gzip"}
    )
    missing = await gateway.client.post(
        "/ingest/leadsource",
        content=b"{}",
        headers={"authorization": f"Bearer {gateway.acme.ingest}"},
    )

    assert [r.status_code for r in (xml, gzip, missing)] == [415, 415, 415]
    assert "application/json" in xml.headers["accept-post"]


async def test_an_unknown_source_is_404(gateway: Gateway) -> None:
    unknown = await gateway.post(b"{}", key=gateway.acme.ingest, source="zillow")
    generic = await gateway.post(b"{}", key=gateway.acme.ingest, source="generic")

    assert unknown.status_code == 404
    assert generic.status_code == 404
    assert "leadsource" in unknown.json()["detail"]


async def test_a_bad_key_is_401_without_saying_which_part_was_wrong(gateway: Gateway) -> None:
    body = json.dumps(lead_json())
    real_id = gateway.acme.ingest.rsplit("_", 1)[0]
    responses = [
        await gateway.post(body),
        await gateway.post(body, key="not-a-key"),
        await gateway.post(body, key=gateway.acme.ingest[:-4] + "AAAA"),
        await gateway.post(body, key=real_id + "_" + "B" * 40),
    ]

    assert {r.status_code for r in responses} == {401}
    assert len({r.json()["detail"] for r in responses[1:]}) == 1
    assert all("www-authenticate" in r.headers for r in responses)


async def test_a_key_without_the_ingest_scope_is_403(gateway: Gateway) -> None:
    response = await gateway.post(json.dumps(lead_json()), key=gateway.acme.read)

    assert response.status_code == 403


async def test_an_idempotency_key_seen_before_returns_the_first_answer(gateway: Gateway) -> None:
    key = gateway.acme.ingest
    headers = {"idempotency-key": "order-5550100"}
    first = await gateway.post(json.dumps(lead_json(tag="same")), key=key, headers=headers)
    again = await gateway.post(json.dumps(lead_json(tag="same")), key=key, headers=headers)
    different = await gateway.post(json.dumps(lead_json(tag="other")), key=key, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert different.status_code == 422
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(1,)]


async def test_concurrent_posts_with_one_idempotency_key_store_one_batch(gateway: Gateway) -> None:
    headers = {"idempotency-key": "burst-1"}
    body = json.dumps(lead_json(tag="burst"))
    responses = await asyncio.gather(
        *(gateway.post(body, key=gateway.acme.ingest, headers=headers) for _ in range(8))
    )

    assert {r.status_code for r in responses} == {202}
    assert len({r.json()["batch_id"] for r in responses}) == 1
    assert gateway.owner("SELECT count(*) FROM ingest_idempotency_keys") == [(1,)]


async def test_an_idempotency_key_of_one_tenant_means_nothing_to_another(gateway: Gateway) -> None:
    headers = {"idempotency-key": "shared-key"}
    acme = await gateway.post(
        json.dumps(lead_json(tag="a")), key=gateway.acme.ingest, headers=headers
    )
    beta = await gateway.post(
        json.dumps(lead_json(tag="b")), key=gateway.beta.ingest, headers=headers
    )

    assert acme.status_code == beta.status_code == 202
    assert acme.json()["batch_id"] != beta.json()["batch_id"]


async def test_a_malformed_idempotency_key_is_400(gateway: Gateway) -> None:
    response = await gateway.post(
        json.dumps(lead_json()), key=gateway.acme.ingest, headers={"idempotency-key": "x" * 256}
    )

    assert response.status_code == 400


async def test_another_tenants_batch_is_404_not_403(gateway: Gateway) -> None:
    posted = await gateway.post(json.dumps(lead_json()), key=gateway.acme.ingest)
    status_url = posted.json()["status_url"]

    own = await gateway.client.get(
        status_url, headers={"authorization": f"Bearer {gateway.acme.read}"}
    )
    other = await gateway.client.get(
        status_url, headers={"authorization": f"Bearer {gateway.beta.ingest}"}
    )
    missing = await gateway.client.get(
        "/ingest/batches/00000000-0000-4000-8000-000000000000",
        headers={"authorization": f"Bearer {gateway.beta.ingest}"},
    )
    admin_only = await gateway.client.get(
        status_url, headers={"authorization": f"Bearer {gateway.acme.admin}"}
    )

    assert own.status_code == 200
    assert other.status_code == 404
    assert other.json()["detail"] == missing.json()["detail"]
    assert admin_only.status_code == 403


async def test_responses_carry_security_headers(gateway: Gateway) -> None:
    plain = await gateway.client.get("/healthz")
    behind_tls = await gateway.client.get("/healthz", headers={"x-forwarded-proto": "https"})

    csp = plain.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'self' https://app.getbonzo.com" in csp
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in plain.headers
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=")
