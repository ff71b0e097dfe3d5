-- The HTTP ingest API: per-source webhook signing secrets, idempotency keys, and the
-- cross-tenant reads behind /metrics and the recovery of batches nobody processed.

-- One Standard Webhooks signing secret per tenant and source, encrypted with
-- LEADGATE_SECRET_KEY. After a rotation the previous secret keeps verifying until
-- previous_valid_until, so a vendor can switch without dropping requests.
CREATE TABLE ingest_webhook_secrets (
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source                text NOT NULL,
    secret_ciphertext     text NOT NULL,
    previous_ciphertext   text,
    previous_valid_until  timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    rotated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, source)
);

-- An Idempotency-Key (or webhook-id) seen before answers with the first response. The
-- fingerprint is the stored body's SHA-256: the same key with a different body is refused.
-- A key lives as long as its batch.
CREATE TABLE ingest_idempotency_keys (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    idempotency_key  text NOT NULL CONSTRAINT ingest_idempotency_keys_key_length
                     CHECK (length(idempotency_key) BETWEEN 1 AND 300),
    source           text NOT NULL,
    content_sha256   text NOT NULL,
    batch_id         uuid NOT NULL REFERENCES ingest_batches (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX ingest_idempotency_keys_batch ON ingest_idempotency_keys (batch_id);

SELECT protect_tenant_tables('ingest_webhook_secrets', 'ingest_idempotency_keys');

-- Batches still waiting to be processed, for the recovery sweep: a gateway that stored a
-- batch and died before processing it (or before queueing its job) leaves it here.
CREATE INDEX ingest_batches_received ON ingest_batches (created_at) WHERE status = 'received';

CREATE FUNCTION received_batches_older_than(p_age interval, p_limit integer)
    RETURNS TABLE (tenant_id uuid, batch_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT b.tenant_id, b.id FROM ingest_batches b
    WHERE b.status = 'received' AND b.created_at < now() - p_age
    ORDER BY b.created_at
    LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION received_batches_older_than(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION received_batches_older_than(interval, integer) TO leadgate_app;

-- Metrics: aggregates only, never a row. Counters come from the durable tables, so every
-- gateway process reports the same totals.
CREATE FUNCTION ingest_totals()
    RETURNS TABLE (tenant_slug text, source text, status text, batches bigint, ok bigint,
                   failed bigint, duplicate bigint, held bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT t.slug, b.source, b.status, count(*), sum(b.ok_count), sum(b.failed_count),
           sum(b.duplicate_count), sum(b.held_count)
    FROM ingest_batches b JOIN tenants t ON t.id = b.tenant_id
    GROUP BY t.slug, b.source, b.status
$$;
REVOKE ALL ON FUNCTION ingest_totals() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_totals() TO leadgate_app;

-- Delivery attempts by tenant and status class, with latency bucket indexes:
-- width_bucket(latency_ms, p_bounds) is the number of bounds <= latency_ms.
CREATE FUNCTION delivery_attempt_totals(p_bounds integer[])
    RETURNS TABLE (tenant_slug text, status_class text, bucket integer, attempts bigint,
                   latency_ms_sum bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT t.slug,
           CASE WHEN a.status_code IS NULL THEN 'error'
                ELSE (a.status_code / 100)::text || 'xx' END,
           width_bucket(a.latency_ms, p_bounds),
           count(*),
           sum(a.latency_ms)
    FROM delivery_attempts a JOIN tenants t ON t.id = a.tenant_id
    GROUP BY 1, 2, 3
$$;
REVOKE ALL ON FUNCTION delivery_attempt_totals(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION delivery_attempt_totals(integer[]) TO leadgate_app;
