"""Small bodies committed together: concurrent posts each get their own durable batch
(or share one when the bytes are the same), and the one-statement store keeps row-level
security: it scopes itself to its tenant and never to another's transaction."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid

import psycopg
import pytest

from gateway.ingest import repository

from .conftest import Gateway, lead_json


async def test_concurrent_posts_are_each_stored_with_their_bytes(gateway: Gateway) -> None:
    bodies = [json.dumps(lead_json(n)) for n in range(24)]

    responses = await asyncio.gather(
        *(gateway.post(body, key=gateway.acme.ingest) for body in bodies)
    )

    assert [r.status_code for r in responses] == [202] * len(bodies)
    batch_ids = [r.json()["batch_id"] for r in responses]
    assert len(set(batch_ids)) == len(bodies)
    stored = dict(
        gateway.owner(
            "SELECT b.id::text, c.data FROM ingest_batches b"
            " JOIN ingest_payload_chunks c ON c.batch_id = b.id AND c.seq = 0"
            " WHERE b.tenant_id = %s AND b.channel = 'api'",
            [gateway.acme.tenant_id],
        )
    )
    assert {batch_id: bytes(stored[batch_id]).decode() for batch_id in batch_ids} == dict(
        zip(batch_ids, bodies, strict=True)
    )


async def test_concurrent_posts_of_the_same_bytes_share_one_batch(gateway: Gateway) -> None:
    body = json.dumps(lead_json(1))

    responses = await asyncio.gather(
        *(gateway.post(body, key=gateway.acme.ingest) for _ in range(6))
    )

    assert [r.status_code for r in responses] == [202] * 6
    assert len({r.json()["batch_id"] for r in responses}) == 1
    assert gateway.owner("SELECT count(*) FROM ingest_payload_chunks") == [(1,)]


def _row(data: bytes) -> repository.SmallBodyRow:
    return ("leadsource", None, "application/json", hashlib.sha256(data).hexdigest(), data)


async def test_the_one_statement_store_is_a_transaction_of_its_own_tenant(
    gateway: Gateway,
) -> None:
    data = json.dumps(lead_json(7)).encode()
    async with await psycopg.AsyncConnection.connect(
        gateway.database.app_conninfo(), autocommit=True
    ) as conn:
        created = await repository.insert_small_bodies(
            conn, tenant_id=gateway.beta.tenant_id, bodies=[_row(data)]
        )
        # The tenant scope ended with the statement's transaction.
        cur = await conn.execute("SELECT count(*) FROM ingest_batches")
        assert await cur.fetchone() == (0,)

    (batch_id,) = created.values()
    assert gateway.owner(
        "SELECT tenant_id, byte_size FROM ingest_batches WHERE id = %s", [batch_id]
    ) == [(gateway.beta.tenant_id, len(data))]


async def test_the_one_statement_store_refuses_a_transaction_of_another_tenant(
    gateway: Gateway,
) -> None:
    data = json.dumps(lead_json(8)).encode()
    async with await psycopg.AsyncConnection.connect(gateway.database.app_conninfo()) as conn:
        await conn.execute(
            "SELECT set_config('app.tenant_id', %s, true)", [str(gateway.acme.tenant_id)]
        )
        with pytest.raises(psycopg.errors.RaiseException, match="another tenant"):
            await repository.insert_small_bodies(
                conn, tenant_id=gateway.beta.tenant_id, bodies=[_row(data)]
            )
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(0,)]


async def test_a_tenant_that_does_not_exist_stores_nothing(gateway: Gateway) -> None:
    data = json.dumps(lead_json(9)).encode()
    async with await psycopg.AsyncConnection.connect(
        gateway.database.app_conninfo(), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            await repository.insert_small_bodies(conn, tenant_id=uuid.uuid4(), bodies=[_row(data)])
    assert gateway.owner("SELECT count(*) FROM ingest_batches") == [(0,)]
