-- name: tenant_intake_settings
SELECT dedupe_window, permissible_purpose, credit_grade_scores FROM tenants WHERE id = %(tenant_id)s;

-- name: insert_batch
INSERT INTO ingest_batches (tenant_id, source, channel, filename, content_type, content_sha256, byte_size, mapping)
VALUES (%(tenant_id)s, %(source)s, %(channel)s, %(filename)s, %(content_type)s, %(content_sha256)s, %(byte_size)s, %(mapping)s)
ON CONFLICT ON CONSTRAINT ingest_batches_content_key DO NOTHING
RETURNING id;

-- name: find_batch_by_content
SELECT id FROM ingest_batches
WHERE tenant_id = %(tenant_id)s AND source = %(source)s AND content_sha256 = %(content_sha256)s;

-- name: get_batch
SELECT id, tenant_id, source, channel, filename, content_type, content_sha256, byte_size, mapping, status,
       error, total_records, ok_count, failed_count, duplicate_count, held_count, created_at,
       completed_at
FROM ingest_batches WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

-- name: lock_batch_for_processing
SELECT status FROM ingest_batches WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s FOR UPDATE;

-- name: insert_payload_chunk
INSERT INTO ingest_payload_chunks (batch_id, seq, tenant_id, data)
VALUES (%(batch_id)s, %(seq)s, %(tenant_id)s, %(data)s);

-- name: payload_chunk
SELECT data FROM ingest_payload_chunks
WHERE batch_id = %(batch_id)s AND tenant_id = %(tenant_id)s AND seq = %(seq)s;

-- name: create_staging_tables
-- The planner cannot know a staging table's size, over-estimates the load statement and
-- JIT-compiles it: about a second per chunk, far more than the statement's own work.
SET LOCAL jit = off;
SET LOCAL work_mem = '32MB';
CREATE TEMP TABLE lead_staging (
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    record_number    integer NOT NULL,
    source_record_id text,
    phone            text,
    email            text,
    hold_reason      text,
    -- JSON documents as text: binary COPY sends text as is, and the casts below parse it.
    doc              text NOT NULL,
    warnings         text NOT NULL,
    raw              text NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE failed_staging (
    record_number  integer NOT NULL,
    errors         text NOT NULL,
    raw            text NOT NULL
) ON COMMIT DROP;

-- name: copy_lead_staging
-- Binary: the JSON documents go over as they are instead of being escaped cell by cell.
COPY lead_staging (record_number, source_record_id, phone, email, hold_reason, doc, warnings, raw)
FROM STDIN (FORMAT binary);

-- name: copy_failed_staging
COPY failed_staging (record_number, errors, raw) FROM STDIN (FORMAT binary);

-- name: clear_staging
TRUNCATE lead_staging, failed_staging;

-- name: load_failed_from_staging
-- COPY cannot write to a table with row-level security, so rows go through staging.
INSERT INTO failed_records (tenant_id, batch_id, record_number, source, errors, raw)
SELECT %(tenant_id)s, %(batch_id)s, record_number, %(source)s, errors::jsonb, raw::json FROM failed_staging
ON CONFLICT ON CONSTRAINT failed_records_record_key DO NOTHING;

-- name: load_leads_from_staging
-- Dedupe and insert one chunk. A staged lead duplicates an earlier original (not itself a
-- duplicate) of the same tenant with the same source + vendor record id (any age), or the
-- same phone or email received within the tenant's dedupe window; failing that, an earlier
-- record of the same chunk with one of those keys. Earlier chunks of the same batch are
-- already in leads, so they count as existing. Accepted leads get their outbox row here.
WITH firsts AS (
    -- Only the keys go through the window sorts; the wide documents stay put.
    SELECT s.record_number,
        least(
            CASE WHEN s.source_record_id IS NOT NULL THEN min(s.record_number) OVER (PARTITION BY s.source_record_id) END,
            CASE WHEN s.phone IS NOT NULL THEN min(s.record_number) OVER (PARTITION BY s.phone) END,
            CASE WHEN s.email IS NOT NULL THEN min(s.record_number) OVER (PARTITION BY s.email) END
        ) AS first_in_chunk
    FROM (SELECT record_number, source_record_id, phone, email FROM lead_staging) s
), keyed AS (
    SELECT s.*, f.first_in_chunk FROM lead_staging s JOIN firsts f USING (record_number)
), existing AS (
    SELECT k.*,
        coalesce(
            (SELECT l.id FROM leads l
             WHERE k.source_record_id IS NOT NULL AND l.tenant_id = %(tenant_id)s AND l.source = %(source)s
               AND l.source_record_id = k.source_record_id AND l.status <> 'duplicate'
             ORDER BY l.received_at, l.id LIMIT 1),
            (SELECT l.id FROM leads l
             WHERE k.phone IS NOT NULL AND l.tenant_id = %(tenant_id)s AND l.phone = k.phone
               AND l.status <> 'duplicate' AND l.received_at >= now() - %(dedupe_window)s
             ORDER BY l.received_at, l.id LIMIT 1),
            (SELECT l.id FROM leads l
             WHERE k.email IS NOT NULL AND l.tenant_id = %(tenant_id)s AND l.email = k.email
               AND l.status <> 'duplicate' AND l.received_at >= now() - %(dedupe_window)s
             ORDER BY l.received_at, l.id LIMIT 1)
        ) AS existing_original
    FROM keyed k
), resolved AS (
    SELECT e.*, coalesce(e.existing_original, o.existing_original, o.id) AS original
    FROM existing e
    LEFT JOIN existing o ON o.record_number = e.first_in_chunk AND e.first_in_chunk < e.record_number
), inserted AS (
    INSERT INTO leads (
        id, tenant_id, batch_id, record_number, source, status, duplicate_of, hold_reason,
        source_record_id, lead_kind, first_name, last_name, email, phone, alt_phones, address,
        city, state, zip, credit_score, credit_grade, property_value, loan_balance,
        current_rate, monthly_payment, second_balance, second_rate, additional_cash,
        down_payment, ltv, bid_loan_value, cash_out, found_home, va_eligible,
        has_second_mortgage, loan_type, loan_purpose, property_type, property_use,
        mortgage_open_date, trigger_date, consent_url, extra, warnings, raw
    )
    SELECT
        r.id, %(tenant_id)s, %(batch_id)s, r.record_number, %(source)s,
        CASE WHEN r.original IS NOT NULL THEN 'duplicate'
             WHEN r.hold_reason IS NOT NULL THEN 'held_compliance'
             ELSE 'ok' END,
        r.original, r.hold_reason,
        f.source_record_id, f.lead_kind, f.first_name, f.last_name, f.email, f.phone,
        coalesce(f.alt_phones, '{}'), f.address, f.city, f.state, f.zip, f.credit_score,
        f.credit_grade, f.property_value, f.loan_balance, f.current_rate, f.monthly_payment,
        f.second_balance, f.second_rate, f.additional_cash, f.down_payment, f.ltv,
        f.bid_loan_value, f.cash_out, f.found_home, f.va_eligible, f.has_second_mortgage,
        f.loan_type, f.loan_purpose, f.property_type, f.property_use, f.mortgage_open_date,
        f.trigger_date, f.consent_url, coalesce(f.extra, '{}'), r.warnings::jsonb, r.raw::json
    FROM resolved r, LATERAL jsonb_populate_record(NULL::lead_fields, r.doc::jsonb) f
    ON CONFLICT ON CONSTRAINT leads_record_key DO NOTHING
    RETURNING id, status
), queued AS (
    INSERT INTO deliveries (tenant_id, lead_id)
    SELECT %(tenant_id)s, id FROM inserted WHERE status = 'ok'
    RETURNING id
)
SELECT
    count(*) FILTER (WHERE status = 'ok'),
    count(*) FILTER (WHERE status = 'duplicate'),
    count(*) FILTER (WHERE status = 'held_compliance'),
    (SELECT array_agg(id) FROM queued)
FROM inserted;

-- name: lock_tenant_dedupe
-- Two batches of one tenant loading at once could each miss the other's phone numbers.
SELECT pg_advisory_xact_lock(hashtextextended('leadgate:dedupe:' || %(tenant_id)s::text, 0));

-- name: finish_batch
UPDATE ingest_batches
SET status = 'done', total_records = %(total)s, ok_count = %(ok)s, failed_count = %(failed)s,
    duplicate_count = %(duplicate)s, held_count = %(held)s, completed_at = now(), error = NULL
WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

-- name: reject_batch
UPDATE ingest_batches SET status = 'rejected', error = %(error)s, completed_at = now()
WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

-- name: failed_export_columns
-- Each raw column with where it first appears, to order the export header like the files.
SELECT DISTINCT ON (k.key) k.key, f.created_at, f.record_number, k.pos
FROM failed_records f CROSS JOIN LATERAL json_object_keys(f.raw) WITH ORDINALITY AS k(key, pos)
WHERE f.tenant_id = %(tenant_id)s AND (%(batch_id)s::uuid IS NULL OR f.batch_id = %(batch_id)s)
ORDER BY k.key, f.created_at, f.record_number, k.pos;

-- name: failed_records_for_export
SELECT f.batch_id, f.record_number, f.source, f.errors, f.raw, f.created_at
FROM failed_records f
WHERE f.tenant_id = %(tenant_id)s AND (%(batch_id)s::uuid IS NULL OR f.batch_id = %(batch_id)s)
ORDER BY f.created_at, f.batch_id, f.record_number;
