-- name: webhook_secrets
-- The current secret, and the previous one while its grace period after a rotation lasts.
SELECT secret_ciphertext,
       CASE WHEN previous_valid_until > now() THEN previous_ciphertext END
FROM ingest_webhook_secrets
WHERE tenant_id = %(tenant_id)s AND source = %(source)s;

-- name: rotate_webhook_secret
INSERT INTO ingest_webhook_secrets (tenant_id, source, secret_ciphertext)
VALUES (%(tenant_id)s, %(source)s, %(secret_ciphertext)s)
ON CONFLICT (tenant_id, source) DO UPDATE SET
    previous_ciphertext = CASE WHEN %(keep_previous)s THEN ingest_webhook_secrets.secret_ciphertext END,
    previous_valid_until = CASE WHEN %(keep_previous)s THEN now() + %(grace)s END,
    secret_ciphertext = EXCLUDED.secret_ciphertext,
    rotated_at = now();

-- name: find_idempotency_key
SELECT source, content_sha256, batch_id FROM ingest_idempotency_keys
WHERE tenant_id = %(tenant_id)s AND idempotency_key = %(idempotency_key)s;

-- name: insert_idempotency_key
-- A concurrent request with the same key waits here until the first commits, then gets
-- no row back and replays the first answer.
INSERT INTO ingest_idempotency_keys (tenant_id, idempotency_key, source, content_sha256, batch_id)
VALUES (%(tenant_id)s, %(idempotency_key)s, %(source)s, %(content_sha256)s, %(batch_id)s)
ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING batch_id;

-- name: batch_summary
SELECT id, source, channel, status, error, total_records, ok_count, failed_count,
       duplicate_count, held_count, created_at, completed_at
FROM ingest_batches WHERE id = %(batch_id)s AND tenant_id = %(tenant_id)s;

-- name: batch_error_codes
-- Failed records per issue code (a record with two codes counts under both).
SELECT issue ->> 'code', count(DISTINCT f.record_number)
FROM failed_records f CROSS JOIN LATERAL jsonb_array_elements(f.errors) AS issue
WHERE f.tenant_id = %(tenant_id)s AND f.batch_id = %(batch_id)s
GROUP BY 1 ORDER BY 1;

-- name: batch_deliveries
-- Accepted leads by delivery status; one still waiting for its outbox row (a big file's,
-- migration 0007) is pending.
-- The batch's leads: its id range (migration 0011; the ends worked out apart, as in
-- list_leads), or for a batch loaded before that, leads_record_key_v7's.
SELECT coalesce(d.status, 'pending'), count(*)
FROM ingest_batches b
CROSS JOIN LATERAL (
    SELECT lead_id(b.lead_id_base, 1) AS first_id, last_lead_id(b.lead_id_base) AS last_id
    OFFSET 0
) ids
CROSS JOIN LATERAL (
    SELECT l.id FROM leads l
    WHERE b.lead_id_base IS NOT NULL AND l.id BETWEEN ids.first_id AND ids.last_id
      AND l.tenant_id = %(tenant_id)s AND l.batch_id = b.id AND l.status = 'ok'
    UNION ALL
    SELECT l.id FROM leads l
    WHERE b.lead_id_base IS NULL AND get_byte(uuid_send(l.id), 6) < 128
      AND l.tenant_id = %(tenant_id)s AND l.batch_id = b.id AND l.status = 'ok'
) l
LEFT JOIN deliveries d ON d.lead_id = l.id
WHERE b.id = %(batch_id)s AND b.tenant_id = %(tenant_id)s
GROUP BY 1;

-- name: received_batches_older_than
SELECT tenant_id, batch_id FROM received_batches_older_than(%(age)s, %(limit)s);

-- name: find_idempotency_keys
SELECT idempotency_key, source, content_sha256, batch_id FROM ingest_idempotency_keys
WHERE tenant_id = %(tenant_id)s AND idempotency_key = ANY(%(keys)s);

-- name: insert_small_bodies
-- One statement for the whole group (see the function in migration 0004). The arrays go
-- in binary: no quoting and escaping of each element.
SELECT id, source, content_sha256
FROM ingest_store_small_bodies(%(tenant_id)s, %(sources)b, %(filenames)b, %(content_types)b,
                               %(content_sha256s)b, %(datas)b);

-- name: find_batches_by_content
SELECT b.id, b.source, b.content_sha256 FROM ingest_batches b
JOIN unnest(%(sources)s::text[], %(content_sha256s)s::text[]) AS u(source, content_sha256)
  ON b.source = u.source AND b.content_sha256 = u.content_sha256
WHERE b.tenant_id = %(tenant_id)s;

-- name: insert_idempotency_keys
INSERT INTO ingest_idempotency_keys (tenant_id, idempotency_key, source, content_sha256, batch_id)
SELECT %(tenant_id)s, u.idempotency_key, u.source, u.content_sha256, u.batch_id
FROM unnest(%(keys)s::text[], %(sources)s::text[], %(content_sha256s)s::text[], %(batch_ids)s::uuid[])
     AS u(idempotency_key, source, content_sha256, batch_id)
ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING idempotency_key;
