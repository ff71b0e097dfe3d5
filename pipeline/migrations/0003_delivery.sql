-- Delivery engine: leases on outbox rows, the attempt log (partitioned by month, append
-- only), per-tenant endpoint policy (retry schedule, payload mapping, limits, circuit
-- breaker) and tenant notifications.

ALTER TABLE deliveries
    ADD COLUMN next_trigger text NOT NULL DEFAULT 'auto'
        CONSTRAINT deliveries_next_trigger_valid CHECK (next_trigger IN ('auto', 'retry', 'manual', 'replay')),
    -- A claim is a lease, not a row lock held across the HTTP call: a worker that dies
    -- mid-post loses its lease when claimed_until passes and the sweeper hands the
    -- delivery to another worker.
    ADD COLUMN claimed_until timestamptz,
    ADD COLUMN claimed_by text,
    -- When the sweeper (or the ingest path) last put a job on the queue for this row; a
    -- row that stays due long after that lost its job (flushed Redis) and is re-enqueued.
    ADD COLUMN enqueued_at timestamptz,
    ADD COLUMN last_status_code integer,
    ADD COLUMN last_error_class text,
    ADD COLUMN last_error text,
    ADD COLUMN field_errors jsonb,
    ADD COLUMN delivered_at timestamptz;

ALTER TABLE bonzo_endpoints
    ADD COLUMN retry_schedule jsonb,
    ADD COLUMN payload_mapping jsonb,
    ADD COLUMN max_concurrency integer NOT NULL DEFAULT 8
        CONSTRAINT bonzo_endpoints_concurrency_positive CHECK (max_concurrency > 0),
    ADD COLUMN max_per_second integer NOT NULL DEFAULT 50
        CONSTRAINT bonzo_endpoints_rate_positive CHECK (max_per_second > 0),
    ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
    ADD COLUMN circuit_open_until timestamptz;

CREATE TABLE delivery_attempts (
    id                bigint GENERATED ALWAYS AS IDENTITY,
    tenant_id         uuid NOT NULL,
    delivery_id       uuid NOT NULL,
    lead_id           uuid NOT NULL,
    attempt_number    integer NOT NULL,
    trigger           text NOT NULL CONSTRAINT delivery_attempts_trigger_valid
                      CHECK (trigger IN ('auto', 'retry', 'manual', 'replay')),
    endpoint_hint     text NOT NULL,
    request_payload   jsonb NOT NULL,
    status_code       integer,
    latency_ms        integer NOT NULL,
    response_excerpt  text,
    error_class       text CONSTRAINT delivery_attempts_error_class_valid
                      CHECK (error_class IN ('timeout', 'connect', 'tls', 'http', 'protocol')),
    error_detail      text,
    outcome           text NOT NULL CONSTRAINT delivery_attempts_outcome_valid
                      CHECK (outcome IN ('delivered', 'retry', 'failed', 'dead', 'endpoint_disabled')),
    next_attempt_at   timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE delivery_attempts_default PARTITION OF delivery_attempts DEFAULT;
-- Row-level security is checked on the parent; a partition read directly would skip it,
-- so the app role may only go through the parent.
REVOKE ALL ON delivery_attempts_default FROM leadgate_app;
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, created_at);
CREATE INDEX delivery_attempts_tenant_created ON delivery_attempts (tenant_id, created_at DESC);

-- Monthly partitions, created ahead by the worker's daily cron through this function (the
-- app role cannot create tables itself).
CREATE FUNCTION ensure_delivery_attempt_partitions(p_months_ahead integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    month_start date := date_trunc('month', now())::date;
    created integer := 0;
    name text;
BEGIN
    FOR i IN 0 .. greatest(p_months_ahead, 0) LOOP
        name := format('delivery_attempts_%s', to_char(month_start, 'YYYYMM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF delivery_attempts FOR VALUES FROM (%L) TO (%L)',
                name, month_start, (month_start + interval '1 month')::date);
            EXECUTE format('REVOKE ALL ON %I FROM leadgate_app', name);
            created := created + 1;
        END IF;
        month_start := (month_start + interval '1 month')::date;
    END LOOP;
    RETURN created;
END
$$;
REVOKE ALL ON FUNCTION ensure_delivery_attempt_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_delivery_attempt_partitions(integer) TO leadgate_app;
SELECT ensure_delivery_attempt_partitions(2);

CREATE TABLE tenant_notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    message     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
CREATE INDEX tenant_notifications_unread ON tenant_notifications (tenant_id, created_at DESC) WHERE read_at IS NULL;

SELECT protect_tenant_tables('delivery_attempts', 'tenant_notifications');

-- The attempt log is evidence: append only for the app.
REVOKE UPDATE, DELETE ON delivery_attempts FROM leadgate_app;

-- The sweeper's cross-tenant view: due deliveries whose lease is free, whose endpoint is
-- active with a closed circuit, and that nobody queued recently: never queued and
-- untouched for p_grace (the ingest path queues new rows itself right after commit), or
-- queued longer than p_requeue_after ago (the job was lost, e.g. Redis was flushed), or
-- claimed by a worker whose lease lapsed.
-- Marks them queued and returns (tenant, delivery) pairs; nothing else leaves it.
CREATE FUNCTION claim_due_for_enqueue(p_limit integer, p_grace interval, p_requeue_after interval)
    RETURNS TABLE (tenant_id uuid, delivery_id uuid)
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH due AS (
        SELECT d.id
        FROM deliveries d
        JOIN bonzo_endpoints e ON e.tenant_id = d.tenant_id
        WHERE d.status = 'pending'
          AND d.next_attempt_at <= now()
          AND (d.claimed_until IS NULL OR d.claimed_until < now())
          AND ((d.enqueued_at IS NULL AND d.updated_at < now() - p_grace)
               OR d.enqueued_at < now() - p_requeue_after
               -- a lease that ran out without an outcome: its worker died
               OR d.claimed_until IS NOT NULL)
          AND e.status = 'active'
          AND (e.circuit_open_until IS NULL OR e.circuit_open_until <= now())
        ORDER BY d.next_attempt_at
        LIMIT p_limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE deliveries d SET enqueued_at = now()
    FROM due WHERE d.id = due.id
    RETURNING d.tenant_id, d.id
$$;
REVOKE ALL ON FUNCTION claim_due_for_enqueue(integer, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_due_for_enqueue(integer, interval, interval) TO leadgate_app;

-- Queue depth and the age of the oldest due delivery, for metrics and readiness.
CREATE FUNCTION delivery_backlog() RETURNS TABLE (due_count bigint, oldest_due_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT count(*), coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)
    FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()
$$;
REVOKE ALL ON FUNCTION delivery_backlog() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION delivery_backlog() TO leadgate_app;
