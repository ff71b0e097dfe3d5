-- name: list_leads
-- Newest first, then in file order within a batch. A batch's leads share received_at, kept
-- on the batch as leads_received_at (migration 0010), so the list walks the tenant's
-- batches newest first and each batch's leads in record order, at most a page of them
-- each, and stops at a page. A batch's leads are its id range, in record order (migration
-- 0011); a batch loaded before that has its leads in leads_record_key_v7 instead, whose
-- predicate the second branch repeats. The range's ends are worked out apart (OFFSET 0
-- keeps them a subquery): lead_id() of a column of b in the leads scan's condition is not
-- leakproof, and row-level security would keep it out of the index scan. An accepted lead
-- without an outbox row is a big file's lead waiting for its turn (migration 0007): pending.
SELECT l.id, b.id AS batch_id, l.record_number, b.source, l.status, l.lead_kind,
       l.first_name, l.last_name, l.email, l.phone, l.state, b.leads_received_at AS received_at,
       l.first_contact_at,
       coalesce(d.status, CASE WHEN l.status = 'ok' THEN 'pending' END) AS delivery_status
FROM ingest_batches b
CROSS JOIN LATERAL (
    SELECT lead_id(b.lead_id_base, CASE WHEN b.id = %(after_batch)s::uuid
                                        THEN %(after_record)s::integer ELSE 0 END) AS after_id,
           last_lead_id(b.lead_id_base) AS last_id
    OFFSET 0
) ids
CROSS JOIN LATERAL (
    (SELECT l.id FROM leads l
     WHERE b.lead_id_base IS NOT NULL AND l.id > ids.after_id AND l.id <= ids.last_id
       AND l.tenant_id = %(tenant_id)s AND l.batch_id = b.id
       AND (%(status)s::text IS NULL OR l.status = %(status)s::text)
       AND (%(state)s::text IS NULL OR l.state = %(state)s::text)
     ORDER BY l.id
     LIMIT %(limit)s)
    UNION ALL
    (SELECT l.id FROM leads l
     WHERE b.lead_id_base IS NULL AND get_byte(uuid_send(l.id), 6) < 128
       AND l.tenant_id = %(tenant_id)s AND l.batch_id = b.id
       AND (%(status)s::text IS NULL OR l.status = %(status)s::text)
       AND (%(state)s::text IS NULL OR l.state = %(state)s::text)
       AND (%(after_at)s::timestamptz IS NULL OR b.id <> %(after_batch)s::uuid
            OR l.record_number > %(after_record)s::integer)
     ORDER BY l.record_number
     LIMIT %(limit)s)
) page
JOIN leads l ON l.id = page.id
LEFT JOIN deliveries d ON d.lead_id = l.id
WHERE b.tenant_id = %(tenant_id)s AND b.leads_received_at IS NOT NULL
  AND (%(source)s::text IS NULL OR b.source = %(source)s::text)
  AND (%(batch_id)s::uuid IS NULL OR b.id = %(batch_id)s::uuid)
  AND (%(since)s::timestamptz IS NULL OR b.leads_received_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR b.leads_received_at < %(until)s::timestamptz)
  AND (%(after_at)s::timestamptz IS NULL
       OR b.leads_received_at < %(after_at)s::timestamptz
       OR (b.leads_received_at = %(after_at)s::timestamptz AND b.id >= %(after_batch)s::uuid))
ORDER BY b.leads_received_at DESC, b.id, l.record_number
LIMIT %(limit)s;

-- name: get_lead
-- The lead with its normalized fields as JSON in the Lead struct's shape.
SELECT l.id, l.batch_id, l.record_number, l.status, l.duplicate_of, l.hold_reason,
       l.received_at, l.first_contact_at, row_to_json(x)::text AS lead,
       l.warnings, l.raw, b.raw_columns
FROM leads l
JOIN ingest_batches b ON b.id = l.batch_id
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
WHERE l.tenant_id = %(tenant_id)s AND l.id = %(lead_id)s;

-- name: lead_delivery_status
-- No row: no such lead; a NULL status: the lead was never queued for delivery. An accepted
-- lead still waiting for its outbox row (migration 0007) is pending.
SELECT coalesce(d.status, CASE WHEN l.status = 'ok' THEN 'pending' END)
FROM leads l
LEFT JOIN deliveries d ON d.lead_id = l.id
WHERE l.tenant_id = %(tenant_id)s AND l.id = %(lead_id)s;

-- name: batch_exists
SELECT EXISTS (SELECT 1 FROM ingest_batches WHERE tenant_id = %(tenant_id)s AND id = %(batch_id)s);

-- name: delivery_for_lead
SELECT d.id, d.lead_id, l.batch_id, l.source, d.status, d.attempt_count, d.next_attempt_at,
       d.last_status_code, d.last_error_class, d.last_error, d.field_errors, d.delivered_at,
       d.created_at, d.updated_at
FROM deliveries d
JOIN leads l ON l.id = d.lead_id
WHERE d.tenant_id = %(tenant_id)s AND d.lead_id = %(lead_id)s;

-- name: attempts_for_delivery
SELECT attempt_number, trigger, endpoint_hint, request_payload, status_code, latency_ms,
       response_excerpt, error_class, error_detail, outcome, next_attempt_at, created_at
FROM delivery_attempts
WHERE tenant_id = %(tenant_id)s AND delivery_id = %(delivery_id)s
ORDER BY created_at, id;

-- name: list_deliveries
SELECT d.id, d.lead_id, l.batch_id, l.source, d.status, d.attempt_count, d.next_attempt_at,
       d.last_status_code, d.last_error_class, d.last_error, d.field_errors, d.delivered_at,
       d.created_at, d.updated_at
FROM deliveries d
JOIN leads l ON l.id = d.lead_id
WHERE d.tenant_id = %(tenant_id)s
  AND (%(status)s::text IS NULL OR d.status = %(status)s::text)
  AND (%(source)s::text IS NULL OR l.source = %(source)s::text)
  AND (%(batch_id)s::uuid IS NULL OR l.batch_id = %(batch_id)s::uuid)
  AND (%(since)s::timestamptz IS NULL OR d.created_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR d.created_at < %(until)s::timestamptz)
  AND (%(after_at)s::timestamptz IS NULL
       OR d.created_at < %(after_at)s::timestamptz
       OR (d.created_at = %(after_at)s::timestamptz AND d.id > %(after_id)s::uuid))
ORDER BY d.created_at DESC, d.id
LIMIT %(limit)s;

-- name: list_failed_records
SELECT f.id, f.batch_id, f.record_number, f.source, f.errors, f.raw, f.created_at
FROM failed_records f
WHERE f.tenant_id = %(tenant_id)s
  AND (%(source)s::text IS NULL OR f.source = %(source)s::text)
  AND (%(batch_id)s::uuid IS NULL OR f.batch_id = %(batch_id)s::uuid)
  AND (%(since)s::timestamptz IS NULL OR f.created_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR f.created_at < %(until)s::timestamptz)
  AND (%(after_at)s::timestamptz IS NULL
       OR f.created_at < %(after_at)s::timestamptz
       OR (f.created_at = %(after_at)s::timestamptz
           AND (f.batch_id, f.record_number) > (%(after_batch)s::uuid, %(after_record)s::integer)))
ORDER BY f.created_at DESC, f.batch_id, f.record_number
LIMIT %(limit)s;
