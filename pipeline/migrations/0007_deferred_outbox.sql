-- A big file's accepted leads get their outbox rows as delivery capacity frees, not while
-- the file loads. An outbox row per lead was a quarter of PostgreSQL's work per ingested
-- row (5.8 of 24.3 µs, bench/README.md), spent up front on rows that wait minutes for
-- Bonzo's rate limits and are rewritten when claimed anyway. The first load chunk of every
-- batch still gets its rows in the load's own transaction, so small files and the first
-- leads of a big one go out at once.

-- NULL: every accepted lead of the batch has its outbox row (all batches before this
-- migration, and every batch that fits in one load chunk). A number N: accepted leads with
-- a record number above N have none yet; expand_deferred_outbox() gives them theirs in
-- record order and sets NULL when none is left. An accepted lead without an outbox row is
-- therefore always waiting in line, and readers show it as pending.
ALTER TABLE ingest_batches ADD COLUMN outbox_through integer
    CONSTRAINT ingest_batches_outbox_through_valid CHECK (outbox_through >= 0);
CREATE INDEX ingest_batches_outbox_backlog ON ingest_batches (created_at, id)
    WHERE outbox_through IS NOT NULL;

-- Called by the delivery sweeper every second, across tenants. For the oldest batches
-- with deferred leads, oldest first: a tenant with fewer than p_backlog pending outbox
-- rows gets rows for its next leads, up to the difference; p_limit rows in all per call.
-- The rows come back marked enqueued (the caller queues them right after commit; if that
-- fails, claim_due_for_enqueue finds them again after its requeue delay). No ON CONFLICT:
-- the batch row stays locked while its leads are expanded and its mark moves in the same
-- transaction, so no lead gets a second row (the unique key would say so loudly);
-- speculative insertion cost 1.2 µs a row.
CREATE FUNCTION expand_deferred_outbox(p_backlog integer, p_limit integer)
    RETURNS TABLE (tenant_id uuid, delivery_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    batch record;
    budget integer := p_limit;
    room integer;
    lead_ids uuid[];
    last_record integer;
    taken integer;
BEGIN
    FOR batch IN
        SELECT b.id, b.tenant_id, b.outbox_through
        FROM ingest_batches b
        WHERE b.outbox_through IS NOT NULL
        ORDER BY b.created_at, b.id
        FOR UPDATE SKIP LOCKED
    LOOP
        EXIT WHEN budget <= 0;
        SELECT p_backlog - count(*) INTO room
        FROM (SELECT 1 FROM deliveries d
              WHERE d.tenant_id = batch.tenant_id AND d.status = 'pending'
              LIMIT p_backlog) pending;
        room := least(room, budget);
        CONTINUE WHEN room <= 0;

        SELECT array_agg(l.id ORDER BY l.record_number), max(l.record_number), count(*)
        INTO lead_ids, last_record, taken
        FROM (SELECT l.id, l.record_number FROM leads l
              WHERE l.tenant_id = batch.tenant_id AND l.batch_id = batch.id
                AND l.record_number > batch.outbox_through AND l.status = 'ok'
              ORDER BY l.record_number
              LIMIT room) l;

        RETURN QUERY
            INSERT INTO deliveries (tenant_id, lead_id, enqueued_at)
            SELECT batch.tenant_id, u.lead_id, now()
            FROM unnest(lead_ids) WITH ORDINALITY AS u(lead_id, position)
            ORDER BY u.position
            RETURNING deliveries.tenant_id, deliveries.id;

        UPDATE ingest_batches b
        SET outbox_through = CASE WHEN taken < room THEN NULL ELSE last_record END
        WHERE b.id = batch.id;
        budget := budget - taken;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION expand_deferred_outbox(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expand_deferred_outbox(integer, integer) TO leadgate_app;
