-- name: claim_deliveries
-- Lease the given deliveries that are still due and free, for one tenant whose endpoint is
-- active with a closed circuit. A delivery claimed by another worker is skipped, never
-- waited for: two workers never post the same lead at once.
WITH claimable AS (
    SELECT d.id
    FROM deliveries d
    JOIN bonzo_endpoints e ON e.tenant_id = d.tenant_id
    WHERE d.tenant_id = %(tenant_id)s
      AND d.id = ANY(%(ids)s)
      AND d.status = 'pending'
      AND d.next_attempt_at <= now()
      AND (d.claimed_until IS NULL OR d.claimed_until < now())
      AND e.status = 'active'
      AND (e.circuit_open_until IS NULL OR e.circuit_open_until <= now())
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE deliveries d
SET claimed_until = now() + %(lease)s, claimed_by = %(worker)s, updated_at = now()
FROM claimable c
WHERE d.id = c.id
RETURNING d.id, d.lead_id, d.attempt_count, d.next_trigger;

-- name: claimed_leads
-- The canonical lead of each claimed delivery, as JSON in the Lead struct's shape.
SELECT d.id, row_to_json(x)::text
FROM deliveries d
JOIN leads l ON l.id = d.lead_id
CROSS JOIN LATERAL (
    SELECT l.source, l.source_record_id, l.lead_kind, l.first_name, l.last_name, l.email,
           l.phone, l.alt_phones, l.address, l.city, l.state, l.zip, l.credit_score,
           l.credit_grade, l.property_value, l.loan_balance, l.current_rate,
           l.monthly_payment, l.second_balance, l.second_rate, l.additional_cash,
           l.down_payment, l.ltv, l.bid_loan_value, l.cash_out, l.found_home, l.va_eligible,
           l.has_second_mortgage, l.loan_type, l.loan_purpose, l.property_type,
           l.property_use, l.mortgage_open_date, l.trigger_date, l.consent_url,
           l.extra::json AS extra
) x
WHERE d.tenant_id = %(tenant_id)s AND d.id = ANY(%(ids)s);

-- name: endpoint_for_delivery
SELECT url_ciphertext, url_hint, retry_schedule, payload_mapping, max_concurrency,
       max_per_second, consecutive_failures
FROM bonzo_endpoints WHERE tenant_id = %(tenant_id)s;

-- name: insert_attempt
INSERT INTO delivery_attempts (
    tenant_id, delivery_id, lead_id, attempt_number, trigger, endpoint_hint, request_payload,
    status_code, latency_ms, response_excerpt, error_class, error_detail, outcome,
    next_attempt_at
) VALUES (
    %(tenant_id)s, %(delivery_id)s, %(lead_id)s, %(attempt_number)s, %(trigger)s,
    %(endpoint_hint)s, %(request_payload)s, %(status_code)s, %(latency_ms)s,
    %(response_excerpt)s, %(error_class)s, %(error_detail)s, %(outcome)s, %(next_attempt_at)s
);

-- name: record_outcome
UPDATE deliveries SET
    status = %(status)s,
    attempt_count = attempt_count + %(counted)s,
    next_attempt_at = coalesce(%(next_attempt_at)s, next_attempt_at),
    next_trigger = CASE WHEN %(status)s = 'pending' THEN 'retry' ELSE next_trigger END,
    claimed_until = NULL,
    claimed_by = NULL,
    enqueued_at = NULL,
    last_status_code = %(status_code)s,
    last_error_class = %(error_class)s,
    last_error = %(reason)s,
    field_errors = %(field_errors)s,
    delivered_at = CASE WHEN %(status)s = 'delivered' THEN now() ELSE delivered_at END,
    updated_at = now()
WHERE tenant_id = %(tenant_id)s AND id = %(delivery_id)s AND claimed_by = %(worker)s;

-- name: release_claims
-- Give claimed deliveries back without an attempt (rate limit), due again at the given time.
UPDATE deliveries SET claimed_until = NULL, claimed_by = NULL, enqueued_at = NULL,
    next_attempt_at = %(next_attempt_at)s, updated_at = now()
WHERE tenant_id = %(tenant_id)s AND id = ANY(%(ids)s) AND claimed_by = %(worker)s;

-- name: endpoint_succeeded
UPDATE bonzo_endpoints SET consecutive_failures = 0, circuit_open_until = NULL
WHERE tenant_id = %(tenant_id)s AND (consecutive_failures <> 0 OR circuit_open_until IS NOT NULL);

-- name: endpoint_failed
UPDATE bonzo_endpoints SET consecutive_failures = consecutive_failures + %(failures)s
WHERE tenant_id = %(tenant_id)s
RETURNING consecutive_failures;

-- name: open_circuit
UPDATE bonzo_endpoints SET circuit_open_until = now() + make_interval(secs => %(seconds)s)
WHERE tenant_id = %(tenant_id)s;

-- name: disable_endpoint
UPDATE bonzo_endpoints SET status = 'disabled', disabled_reason = %(reason)s, updated_at = now()
WHERE tenant_id = %(tenant_id)s AND status = 'active'
RETURNING tenant_id;

-- name: notify_tenant
INSERT INTO tenant_notifications (tenant_id, kind, message) VALUES (%(tenant_id)s, %(kind)s, %(message)s);

-- name: claim_due_for_enqueue
SELECT tenant_id, delivery_id FROM claim_due_for_enqueue(%(limit)s, %(grace)s, %(requeue_after)s);

-- name: expand_deferred_outbox
SELECT tenant_id, delivery_id FROM expand_deferred_outbox(%(backlog)s, %(limit)s);

-- name: ensure_partitions
SELECT ensure_delivery_attempt_partitions(%(months_ahead)s);

-- name: replay_deliveries
-- Put deliveries back in line for an immediate attempt. Delivered ones only with force.
UPDATE deliveries d SET
    status = 'pending', next_attempt_at = now(), next_trigger = %(trigger)s,
    claimed_until = NULL, claimed_by = NULL, enqueued_at = NULL, field_errors = NULL,
    updated_at = now()
FROM leads l
WHERE d.tenant_id = %(tenant_id)s AND l.id = d.lead_id
  AND (%(lead_id)s::uuid IS NULL OR d.lead_id = %(lead_id)s)
  AND (%(batch_id)s::uuid IS NULL OR l.batch_id = %(batch_id)s)
  AND (%(source)s::text IS NULL OR l.source = %(source)s)
  AND (%(since)s::timestamptz IS NULL OR d.updated_at >= %(since)s)
  AND d.status = ANY(%(statuses)s)
  AND (d.claimed_until IS NULL OR d.claimed_until < now())
RETURNING d.id;

-- name: delivery_status_for_lead
-- No row: no such lead, or one never queued (a duplicate, held). An accepted lead still
-- waiting for its outbox row (migration 0007) is pending.
SELECT coalesce(d.status, 'pending')
FROM leads l LEFT JOIN deliveries d ON d.lead_id = l.id
WHERE l.tenant_id = %(tenant_id)s AND l.id = %(lead_id)s AND (d.id IS NOT NULL OR l.status = 'ok');
