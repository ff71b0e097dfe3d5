"""Standard Webhooks signatures: the published test vector, signed posts accepted with the
tenant's per-source secret, and every forgery answered with the same 401."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.ingest.signature import generate_secret, parse_signed_headers, secret_key, sign
from tests.support.settings import TEST_SECRET_KEY

from .conftest import Gateway, lead_json

VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_published_standard_webhooks_vector_signs_as_published() -> None:
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_signature_headers_outside_five_minutes_are_refused() -> None:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }

    assert parse_signed_headers(headers, now=VECTOR_TIMESTAMP + 299).message_id == VECTOR_ID
    with pytest.raises(ValueError, match="tolerance"):
        parse_signed_headers(headers, now=VECTOR_TIMESTAMP + 301)
    with pytest.raises(ValueError, match="tolerance"):
        parse_signed_headers(headers, now=VECTOR_TIMESTAMP - 301)


def test_a_generated_secret_carries_a_24_byte_key() -> None:
    secret = generate_secret()

    assert secret.startswith("whsec_")
    assert len(secret_key(secret)) == 24


def set_secret(
    gateway: Gateway, tmp_path: Path, slug: str, source: str = "leadsource", *extra: str
) -> str:
    db = gateway.database
    env = {
        "PATH": "/usr/bin:/bin",
        "PGHOST": str(db.host),
        "PGPORT": str(db.port),
        "PGDATABASE": db.dbname,
        "PGUSER": db.owner_user or "postgres",
        "LEADGATE_APP_PGUSER": db.app_user,
        "LEADGATE_SECRET_KEY": TEST_SECRET_KEY,
        "LEADGATE_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gateway.cli import main; main()",
            "source",
            "secret",
            "--tenant",
            slug,
            "--source",
            source,
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def signed_headers(
    secret: str, body: bytes, *, tenant: str, message_id: str = "msg_1", at: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-tenant": tenant,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


async def test_a_signed_post_is_accepted_for_the_tenant_the_secret_belongs_to(
    gateway: Gateway, tmp_path: Path
) -> None:
    secret = set_secret(gateway, tmp_path, "acme-lending")
    body = json.dumps(lead_json()).encode()

    response = await gateway.post(body, headers=signed_headers(secret, body, tenant="acme-lending"))

    assert secret.startswith("whsec_")
    assert response.status_code == 202, response.text
    tenant = gateway.owner(
        "SELECT tenant_id FROM ingest_batches WHERE id = %s", [response.json()["batch_id"]]
    )
    assert tenant == [(gateway.acme.tenant_id,)]


async def test_a_repeated_webhook_id_answers_with_the_first_response(
    gateway: Gateway, tmp_path: Path
) -> None:
    secret = set_secret(gateway, tmp_path, "acme-lending")
    body = json.dumps(lead_json()).encode()

    first = await gateway.post(
        body, headers=signed_headers(secret, body, tenant="acme-lending", message_id="msg_a")
    )
    retry = await gateway.post(
        body, headers=signed_headers(secret, body, tenant="acme-lending", message_id="msg_a")
    )

    assert first.status_code == retry.status_code == 202
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"


async def test_every_forged_or_stale_signature_is_the_same_401(
    gateway: Gateway, tmp_path: Path
) -> None:
    secret = set_secret(gateway, tmp_path, "acme-lending")
    body = json.dumps(lead_json()).encode()
    good = signed_headers(secret, body, tenant="acme-lending")
    attempts = [
        {
            **good,
            "webhook-signature": sign(
                generate_secret(), "msg_1", int(good["webhook-timestamp"]), body
            ),
        },
        {**good, "webhook-tenant": "beta-mortgage"},
        {**good, "webhook-tenant": "no-such-tenant"},
        signed_headers(secret, body, tenant="acme-lending", at=int(time.time()) - 600),
        {**good, "webhook-signature": "v2," + good["webhook-signature"][3:]},
        {key: value for key, value in good.items() if key != "webhook-id"},
    ]
    responses = [await gateway.post(body, headers=headers) for headers in attempts]
    tampered = await gateway.post(body + b" ", headers=good)
    other_source = await gateway.post(body, source="experian", headers=good)

    assert {r.status_code for r in [*responses, tampered, other_source]} == {401}
    assert len({r.json()["detail"] for r in [*responses, tampered, other_source]}) == 1
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(0,)]


async def test_after_a_rotation_the_previous_secret_keeps_working_unless_revoked(
    gateway: Gateway, tmp_path: Path
) -> None:
    old = set_secret(gateway, tmp_path, "acme-lending")
    new = set_secret(gateway, tmp_path, "acme-lending")
    body = json.dumps(lead_json()).encode()

    with_old = await gateway.post(
        body, headers=signed_headers(old, body, tenant="acme-lending", message_id="m1")
    )
    newest = set_secret(gateway, tmp_path, "acme-lending", "leadsource", "--revoke-previous")
    with_new_after_revoke = await gateway.post(
        body, headers=signed_headers(new, body, tenant="acme-lending", message_id="m2")
    )
    with_newest = await gateway.post(
        body, headers=signed_headers(newest, body, tenant="acme-lending", message_id="m3")
    )

    assert with_old.status_code == 202
    assert with_new_after_revoke.status_code == 401
    assert with_newest.status_code == 202
