"""The delivery engine against real PostgreSQL and the Bonzo sandbox over real HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pipeline.delivery.http import create_http_client
from pipeline.delivery.service import Deliverer, replay

from .conftest import WEBHOOK_ID, World

ANN = "Ann,Lee,ann@example.com,617-555-0101"
BO = "Bo,Ray,bo@example.com,617-555-0102"


async def test_a_healthy_delivery_is_posted_flat_once_and_logged(
    world: World, deliverer: Deliverer
) -> None:
    [delivery_id] = world.ingest(ANN)

    report = await deliverer.deliver(world.tenant_id, [delivery_id])

    assert (report.claimed, report.delivered) == (1, 1)
    status, attempts, delivered_at, lead_id = world.owner(
        "SELECT status, attempt_count, delivered_at, lead_id FROM deliveries WHERE id = %s",
        [delivery_id],
    )[0]
    assert (status, attempts) == ("delivered", 1)
    assert delivered_at is not None
    [attempt] = world.owner(
        "SELECT attempt_number, trigger, status_code, outcome, request_payload, latency_ms, endpoint_hint, error_class "
        "FROM delivery_attempts WHERE delivery_id = %s",
        [delivery_id],
    )
    number, trigger, code, outcome, payload, latency_ms, hint, error_class = attempt
    assert (number, trigger, code, outcome, error_class) == (1, "auto", 200, "delivered", None)
    assert payload["external_id"] == str(lead_id)
    assert payload["first_name"] == "Ann"
    assert payload["phone"] == "6175550101"
    assert all(not isinstance(v, dict) for v in payload.values()), "Bonzo reads a flat body"
    assert latency_ms >= 0
    assert WEBHOOK_ID not in hint
    received = await world.received()
    assert received["external_ids"] == {str(lead_id): {"posts": 1, "accepted": 1}}


async def test_a_5xx_is_retried_on_schedule_then_succeeds(
    world: World, deliverer: Deliverer
) -> None:
    [delivery_id] = world.ingest(ANN)
    await world.set_faults(fail_rate=1.0, seed=1)

    first = await deliverer.deliver(world.tenant_id, [delivery_id])
    status, next_at, code = world.owner(
        "SELECT status, next_attempt_at, last_status_code FROM deliveries WHERE id = %s",
        [delivery_id],
    )[0]
    delay = (next_at - datetime.now(UTC)).total_seconds()
    await world.set_faults()
    world.owner("UPDATE deliveries SET next_attempt_at = now() WHERE id = %s", [delivery_id])
    second = await deliverer.deliver(world.tenant_id, [delivery_id])

    assert first.retrying == 1
    assert status == "pending"
    assert code in {500, 502, 503}
    assert 6 <= delay <= 12.5  # schedule[1] = 10 s, +-20 % jitter
    assert second.delivered == 1
    rows = world.owner(
        "SELECT attempt_number, trigger, outcome FROM delivery_attempts WHERE delivery_id = %s ORDER BY attempt_number",
        [delivery_id],
    )
    assert rows == [(1, "auto", "retry"), (2, "retry", "delivered")]


async def test_retry_after_from_a_429_is_honoured(world: World, deliverer: Deliverer) -> None:
    [delivery_id] = world.ingest(ANN)
    await world.set_faults(rate_limit_rate=1.0, retry_after=120)

    await deliverer.deliver(world.tenant_id, [delivery_id])

    next_at, code = world.owner(
        "SELECT next_attempt_at, last_status_code FROM deliveries WHERE id = %s", [delivery_id]
    )[0]
    assert code == 429
    assert 110 <= (next_at - datetime.now(UTC)).total_seconds() <= 121


async def test_a_422_fails_for_good_with_bonzos_field_errors(
    world: World, deliverer: Deliverer
) -> None:
    # A tenant mapping that keeps the first name out of first_name makes Bonzo answer 422.
    world.owner(
        "UPDATE bonzo_endpoints SET payload_mapping = %s WHERE tenant_id = %s",
        ['{"fields": {"first_name": []}}', world.tenant_id],
    )
    [delivery_id] = world.ingest(ANN)

    report = await deliverer.deliver(world.tenant_id, [delivery_id])

    assert report.failed == 1
    status, field_errors, last_error = world.owner(
        "SELECT status, field_errors, last_error FROM deliveries WHERE id = %s", [delivery_id]
    )[0]
    assert status == "failed"
    assert "first_name" in field_errors
    assert "first name" in last_error.lower()
    [excerpt] = world.owner(
        "SELECT response_excerpt FROM delivery_attempts WHERE delivery_id = %s", [delivery_id]
    )[0]
    assert '"errors"' in excerpt


async def test_a_410_disables_the_endpoint_pauses_deliveries_and_notifies(
    world: World, deliverer: Deliverer
) -> None:
    first, second = world.ingest(ANN, BO)
    await world.set_faults(forced_status={WEBHOOK_ID: 410})

    await deliverer.deliver(world.tenant_id, [first])
    later = await deliverer.deliver(world.tenant_id, [second])

    assert world.owner(
        "SELECT status FROM bonzo_endpoints WHERE tenant_id = %s", [world.tenant_id]
    ) == [("disabled",)]
    assert world.owner("SELECT status, attempt_count FROM deliveries WHERE id = %s", [first]) == [
        ("pending", 0)
    ]
    assert later.claimed == 0, "no posts to a disabled endpoint"
    [(kind, message)] = world.owner(
        "SELECT kind, message FROM tenant_notifications WHERE tenant_id = %s", [world.tenant_id]
    )
    assert kind == "bonzo_endpoint_disabled"
    assert "410" in message


async def test_timeouts_are_logged_with_their_class_and_retried(
    world: World, deliverer: Deliverer
) -> None:
    [delivery_id] = world.ingest(ANN)
    await world.set_faults(slow_ms=1500)
    async with create_http_client(timeout_s=0.3) as impatient:
        hurried = Deliverer(pool=world.pool, http=impatient, cipher=world.cipher, rate_limiter=None)
        report = await hurried.deliver(world.tenant_id, [delivery_id])

    assert report.retrying == 1
    assert world.owner(
        "SELECT error_class, status_code FROM delivery_attempts WHERE delivery_id = %s",
        [delivery_id],
    ) == [("timeout", None)]


async def test_refused_connections_and_resets_are_classified(
    world: World, deliverer: Deliverer
) -> None:
    first, second = world.ingest(ANN, BO)
    await world.set_faults(reset_rate=1.0)
    await deliverer.deliver(world.tenant_id, [first])
    world.owner(
        "UPDATE bonzo_endpoints SET url_ciphertext = %s",
        [world.cipher.encrypt("http://127.0.0.1:9/api/webhook/" + WEBHOOK_ID)],
    )
    await deliverer.deliver(world.tenant_id, [second])

    classes = dict(world.owner("SELECT delivery_id, error_class FROM delivery_attempts"))
    assert classes == {first: "protocol", second: "connect"}
    details = [r[0] for r in world.owner("SELECT error_detail FROM delivery_attempts")]
    assert all(WEBHOOK_ID not in (d or "") for d in details), "the webhook URL is a secret"


async def test_two_workers_never_post_the_same_lead_at_once(
    world: World, deliverer: Deliverer
) -> None:
    ids = world.ingest(*(f"Ann,Lee,ann{i}@example.com," for i in range(40)))
    other = Deliverer(pool=world.pool, http=deliverer._http, cipher=world.cipher, rate_limiter=None)
    other.worker_id = "second-worker"

    reports = await asyncio.gather(
        *(d.deliver(world.tenant_id, ids) for d in (deliverer, other, deliverer, other))
    )

    assert sum(r.claimed for r in reports) == 40
    received = await world.received()
    assert received["total"] == 40
    assert all(v["posts"] == 1 for v in received["external_ids"].values())


async def test_an_expired_lease_lets_another_worker_take_over(
    world: World, deliverer: Deliverer
) -> None:
    [delivery_id] = world.ingest(ANN)
    # A worker claimed it and died before posting.
    world.owner(
        "UPDATE deliveries SET claimed_until = now() + interval '1 minute', claimed_by = 'dead-worker' WHERE id = %s",
        [delivery_id],
    )

    blocked = await deliverer.deliver(world.tenant_id, [delivery_id])
    world.owner(
        "UPDATE deliveries SET claimed_until = now() - interval '1 second' WHERE id = %s",
        [delivery_id],
    )
    resumed = await deliverer.deliver(world.tenant_id, [delivery_id])

    assert blocked.claimed == 0
    assert resumed.delivered == 1


async def test_replay_requeues_failed_leads_and_needs_force_for_delivered(
    world: World, deliverer: Deliverer
) -> None:
    ok_id, failed_id = world.ingest(ANN, BO)
    await deliverer.deliver(world.tenant_id, [ok_id])
    world.owner("UPDATE deliveries SET status = 'failed' WHERE id = %s", [failed_id])

    replayed = await replay(world.pool, tenant_id=world.tenant_id)
    forced = await replay(world.pool, tenant_id=world.tenant_id, force=True)
    redelivered = await deliverer.deliver(world.tenant_id, [*replayed, *forced])

    assert replayed == [failed_id]
    assert forced == [ok_id]
    assert redelivered.delivered == 2
    triggers = world.owner(
        "SELECT trigger FROM delivery_attempts WHERE delivery_id = %s ORDER BY attempt_number",
        [ok_id],
    )
    assert triggers == [("auto",), ("replay",)]


async def test_another_tenant_cannot_claim_or_replay_these_deliveries(
    world: World, deliverer: Deliverer
) -> None:
    from tests.support.tenants import create_tenant

    [delivery_id] = world.ingest(ANN)
    world.owner("UPDATE deliveries SET status = 'failed' WHERE id = %s", [delivery_id])
    intruder = create_tenant(world.database, "intruder")

    claimed = await deliverer.deliver(intruder, [delivery_id])
    replayed = await replay(world.pool, tenant_id=intruder, force=True)

    assert claimed.claimed == 0
    assert replayed == []
    assert world.owner("SELECT status FROM deliveries WHERE id = %s", [delivery_id]) == [
        ("failed",)
    ]
