-- name: tenant_intake_settings
SELECT dedupe_window, permissible_purpose, credit_grade_scores FROM tenants WHERE id = %(tenant_id)s;

-- name: insert_batch
-- A batch being stored: set_batch_content gives it its content hash and size once every
-- byte is in; until then (inside the storing transaction only) it holds a placeholder no
-- file hashes to.
INSERT INTO ingest_batches (tenant_id, source, channel, filename, content_type, content_sha256, byte_size, mapping)
VALUES (%(tenant_id)s, %(source)s, %(channel)s, %(filename)s, %(content_type)s,
        'storing:' || gen_random_uuid(), 0, %(mapping)s)
RETURNING id;

-- name: set_batch_content
-- Fails on ingest_batches_content_key when the tenant already has these bytes from this
-- source: the caller rolls back and takes that batch.
UPDATE ingest_batches SET content_sha256 = %(content_sha256)s, byte_size = %(byte_size)s
WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

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
-- One column per canonical lead field, in lead_fields' order, typed as the normalizer's
-- values go over binary COPY (amounts and rates as numeric text, ISO dates and JSON as
-- text): the load casts them to the stored types, far cheaper than parsing a JSON
-- document. Amounts were float8 and cast to numeric, which printed each one first.
CREATE TEMP TABLE lead_staging (
    -- The lead's id and, for a lead with an earlier lead of the chunk sharing a key, that
    -- root's id and keys (pipeline/intake/links.py).
    id                   uuid NOT NULL,
    root_id              uuid,
    root_source_record_id text,
    root_phone           text,
    root_email           text,
    record_number        integer NOT NULL,
    hold_reason          text,
    warnings             text NOT NULL,
    raw                  text NOT NULL,
    source_record_id     text,
    lead_kind            text NOT NULL,
    first_name           text,
    last_name            text,
    email                text,
    phone                text,
    alt_phones           text[] NOT NULL,
    address              text,
    city                 text,
    state                text,
    zip                  text,
    credit_score         smallint,
    credit_grade         text,
    property_value       text,
    loan_balance         text,
    current_rate         text,
    monthly_payment      text,
    second_balance       text,
    second_rate          text,
    additional_cash      text,
    down_payment         text,
    ltv                  text,
    bid_loan_value       text,
    cash_out             boolean,
    found_home           boolean,
    va_eligible          boolean,
    has_second_mortgage  boolean,
    loan_type            text,
    loan_purpose         text,
    property_type        text,
    property_use         text,
    mortgage_open_date   text,
    trigger_date         text,
    consent_url          text,
    extra                text NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE failed_staging (
    record_number  integer NOT NULL,
    errors         text NOT NULL,
    raw            text NOT NULL
) ON COMMIT DROP;

-- name: copy_lead_staging
-- Binary: values go over as they are instead of being escaped and parsed cell by cell.
COPY lead_staging (
    id, root_id, root_source_record_id, root_phone, root_email, record_number, hold_reason,
    warnings, raw, source_record_id, lead_kind, first_name, last_name, email, phone,
    alt_phones, address, city, state, zip, credit_score, credit_grade, property_value,
    loan_balance, current_rate, monthly_payment, second_balance, second_rate,
    additional_cash, down_payment, ltv, bid_loan_value, cash_out, found_home, va_eligible,
    has_second_mortgage, loan_type, loan_purpose, property_type, property_use,
    mortgage_open_date, trigger_date, consent_url, extra
) FROM STDIN (FORMAT binary);

-- name: copy_failed_staging
COPY failed_staging (record_number, errors, raw) FROM STDIN (FORMAT binary);

-- name: clear_staging
TRUNCATE lead_staging, failed_staging;

-- name: load_failed_from_staging
-- COPY cannot write to a table with row-level security, so rows go through staging.
-- No ON CONFLICT here or in the leads insert: a batch is loaded once, in one transaction
-- that holds its row locked (lock_batch_for_processing), so a record number cannot come
-- twice; the unique keys would fail loudly if it did. Speculative insertion cost a probe of
-- the key and an extra WAL record per row (2.2 µs of 26.6 per experian row at 1M rows).
INSERT INTO failed_records (tenant_id, batch_id, record_number, source, errors, raw)
SELECT %(tenant_id)s, %(batch_id)s, record_number, %(source)s, errors::jsonb, raw::json FROM failed_staging;

-- name: load_leads_from_staging
-- Dedupe and insert one chunk. A staged lead duplicates an earlier original (not itself a
-- duplicate) of the same tenant with the same source + vendor record id (any age), or the
-- same phone or email received within the tenant's dedupe window: one of its own keys,
-- else one of its in-chunk root's keys (the root may itself duplicate an existing lead);
-- failing that, it duplicates its root, an earlier lead of the chunk sharing a key (linked
-- in Python: pipeline/intake/links.py). Earlier chunks of the same batch are already in
-- leads, so they count as existing. With queue, accepted leads get their outbox row here;
-- without, the batch's outbox_through says they are still to get one.
WITH inserted AS (
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
        s.id, %(tenant_id)s, %(batch_id)s, s.record_number, %(source)s,
        CASE WHEN o.original IS NOT NULL THEN 'duplicate'
             WHEN s.hold_reason IS NOT NULL THEN 'held_compliance'
             ELSE 'ok' END,
        o.original, s.hold_reason,
        s.source_record_id, s.lead_kind, s.first_name, s.last_name, s.email, s.phone,
        s.alt_phones, s.address, s.city, s.state, s.zip, s.credit_score, s.credit_grade,
        s.property_value::numeric, s.loan_balance::numeric, s.current_rate::numeric,
        s.monthly_payment::numeric, s.second_balance::numeric, s.second_rate::numeric,
        s.additional_cash::numeric, s.down_payment::numeric, s.ltv::numeric,
        s.bid_loan_value::numeric, s.cash_out,
        s.found_home, s.va_eligible, s.has_second_mortgage, s.loan_type, s.loan_purpose,
        s.property_type, s.property_use, s.mortgage_open_date::date, s.trigger_date::date,
        s.consent_url, s.extra, s.warnings, s.raw
    FROM lead_staging s
    -- CASE, not only the probes' own key filters: a sub-select that is not run costs
    -- nothing, one whose filter is false still costs a rescan.
    CROSS JOIN LATERAL (SELECT coalesce(
        CASE WHEN s.source_record_id IS NOT NULL THEN
            (SELECT l.id FROM leads l
             WHERE l.tenant_id = %(tenant_id)s AND l.source = %(source)s
               AND l.source_record_id = s.source_record_id AND l.status <> 'duplicate'
             ORDER BY l.received_at, l.id LIMIT 1) END,
        CASE WHEN s.phone IS NOT NULL THEN
            (SELECT l.id FROM leads l
             WHERE l.tenant_id = %(tenant_id)s AND l.phone = s.phone
               AND l.status <> 'duplicate' AND l.received_at >= now() - %(dedupe_window)s
             ORDER BY l.received_at, l.id LIMIT 1) END,
        CASE WHEN s.email IS NOT NULL THEN
            (SELECT l.id FROM leads l
             WHERE l.tenant_id = %(tenant_id)s AND l.email = s.email
               AND l.status <> 'duplicate' AND l.received_at >= now() - %(dedupe_window)s
             ORDER BY l.received_at, l.id LIMIT 1) END,
        CASE WHEN s.root_id IS NOT NULL THEN coalesce(
            (SELECT l.id FROM leads l
             WHERE s.root_source_record_id IS NOT NULL AND l.tenant_id = %(tenant_id)s
               AND l.source = %(source)s AND l.source_record_id = s.root_source_record_id
               AND l.status <> 'duplicate'
             ORDER BY l.received_at, l.id LIMIT 1),
            (SELECT l.id FROM leads l
             WHERE s.root_phone IS NOT NULL AND l.tenant_id = %(tenant_id)s
               AND l.phone = s.root_phone AND l.status <> 'duplicate'
               AND l.received_at >= now() - %(dedupe_window)s
             ORDER BY l.received_at, l.id LIMIT 1),
            (SELECT l.id FROM leads l
             WHERE s.root_email IS NOT NULL AND l.tenant_id = %(tenant_id)s
               AND l.email = s.root_email AND l.status <> 'duplicate'
               AND l.received_at >= now() - %(dedupe_window)s
             ORDER BY l.received_at, l.id LIMIT 1),
            s.root_id) END
    -- OFFSET 0 keeps the sub-select a subquery, run once a row: flattened, its expression
    -- would be computed twice, for duplicate_of and again for status.
    ) AS original OFFSET 0) o
    RETURNING id, status
), queued AS (
    INSERT INTO deliveries (tenant_id, lead_id)
    SELECT %(tenant_id)s, id FROM inserted WHERE status = 'ok' AND %(queue)s
    RETURNING id
)
SELECT
    count(*) FILTER (WHERE status = 'ok'),
    count(*) FILTER (WHERE status = 'duplicate'),
    count(*) FILTER (WHERE status = 'held_compliance'),
    (SELECT array_agg(id) FROM queued)
FROM inserted;

-- name: set_lead_id_base
-- The batch's leads take their ids from lead_id_base's range (migration 0011).
UPDATE ingest_batches SET lead_id_base = %(lead_id_base)s
WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

-- name: defer_outbox
-- Leads loaded from here on get their outbox rows from the delivery sweeper
-- (expand_deferred_outbox, migration 0007), paced by what the tenant's Bonzo can take.
-- The batch's last lead so far: the top of its id range (migration 0011).
UPDATE ingest_batches SET outbox_through = coalesce(
    (SELECT l.record_number FROM leads l
     WHERE l.id BETWEEN %(lead_id_base)s AND last_lead_id(%(lead_id_base)s)
       AND l.tenant_id = %(tenant_id)s AND l.batch_id = %(batch_id)s
     ORDER BY l.id DESC LIMIT 1), 0)
WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

-- name: lock_tenant_dedupe
-- Two batches of one tenant loading at once could each miss the other's phone numbers.
SELECT pg_advisory_xact_lock(hashtextextended('leadgate:dedupe:' || %(tenant_id)s::text, 0));

-- name: finish_batch
UPDATE ingest_batches
SET status = 'done', total_records = %(total)s, ok_count = %(ok)s, failed_count = %(failed)s,
    duplicate_count = %(duplicate)s, held_count = %(held)s, completed_at = now(), error = NULL,
    raw_columns = %(raw_columns)s::text[],
    -- The received_at every lead of the batch got: the load's transaction's time.
    leads_received_at = now()
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
