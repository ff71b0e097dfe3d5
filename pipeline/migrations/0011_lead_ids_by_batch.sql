-- A batch's leads take their ids from a range of their own: the id of record N is the
-- batch's lead_id_base with N in its last four bytes (pipeline/intake/links.py makes
-- them). The primary key then keeps a batch's leads together and in file order, and a
-- record number cannot come twice in a batch without its id coming twice, so
-- leads_record_key, (tenant, batch, record number), had nothing left to do but cost: its
-- entry was 1.7-2 of PostgreSQL's 16-21 µs per loaded lead (bench/README.md, measured by
-- leaving it out). Readers that walk a batch's leads scan its id range instead.
--
-- The base is a version 8 UUID (RFC 9562, custom layout): 48-bit Unix milliseconds of the
-- load, the version, 42 random bits with the variant, then the four bytes of the record
-- number, zero in the base. NULL for batches loaded before this migration: their leads'
-- ids are random (version 4) or time-ordered (version 7), never version 8, and keep an
-- index of their own (leads_record_key_v7) that no new lead enters.

ALTER TABLE ingest_batches ADD COLUMN lead_id_base uuid
    CONSTRAINT ingest_batches_lead_id_base_key UNIQUE;

-- The id of a batch's record: the base's first twelve bytes, then the record number.
CREATE FUNCTION lead_id(base uuid, record integer) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN encode(overlay(uuid_send(base) PLACING int4send(record) FROM 13), 'hex')::uuid;

-- The top of a batch's range: record numbers are positive integers.
CREATE FUNCTION last_lead_id(base uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lead_id(base, 2147483647);

-- Leads loaded before this migration, by batch and record number, as leads_record_key had
-- them. The predicate (not version 8) is the one readers of old batches repeat so the
-- planner can use it.
CREATE UNIQUE INDEX leads_record_key_v7 ON leads (tenant_id, batch_id, record_number)
    WHERE get_byte(uuid_send(id), 6) < 128;
ALTER TABLE leads DROP CONSTRAINT leads_record_key;

CREATE OR REPLACE FUNCTION delete_leads_of_deleted_batches() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    -- The ranges' ends worked out apart: lead_id() of a column of b in the leads scan's
    -- condition is not leakproof, and row-level security would keep it out of the index scan.
    DELETE FROM leads l
    USING (SELECT b.id, b.tenant_id, b.lead_id_base AS first_id,
                  last_lead_id(b.lead_id_base) AS last_id
           FROM deleted_batches b WHERE b.lead_id_base IS NOT NULL OFFSET 0) b
    WHERE l.id BETWEEN b.first_id AND b.last_id
      AND l.tenant_id = b.tenant_id AND l.batch_id = b.id;
    DELETE FROM leads l USING deleted_batches b
    WHERE b.lead_id_base IS NULL AND get_byte(uuid_send(l.id), 6) < 128
      AND l.tenant_id = b.tenant_id AND l.batch_id = b.id;
    RETURN NULL;
END
$$;

-- As in 0007, but a batch's next leads come from its id range (or, for a batch loaded
-- before this migration, from leads_record_key_v7).
CREATE OR REPLACE FUNCTION expand_deferred_outbox(p_backlog integer, p_limit integer)
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
        SELECT b.id, b.tenant_id, b.outbox_through, b.lead_id_base
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

        IF batch.lead_id_base IS NOT NULL THEN
            SELECT array_agg(l.id ORDER BY l.id), max(l.record_number), count(*)
            INTO lead_ids, last_record, taken
            FROM (SELECT l.id, l.record_number FROM leads l
                  WHERE l.id > lead_id(batch.lead_id_base, batch.outbox_through)
                    AND l.id <= last_lead_id(batch.lead_id_base)
                    AND l.tenant_id = batch.tenant_id AND l.batch_id = batch.id
                    AND l.status = 'ok'
                  ORDER BY l.id
                  LIMIT room) l;
        ELSE
            SELECT array_agg(l.id ORDER BY l.record_number), max(l.record_number), count(*)
            INTO lead_ids, last_record, taken
            FROM (SELECT l.id, l.record_number FROM leads l
                  WHERE l.tenant_id = batch.tenant_id AND l.batch_id = batch.id
                    AND get_byte(uuid_send(l.id), 6) < 128
                    AND l.record_number > batch.outbox_through AND l.status = 'ok'
                  ORDER BY l.record_number
                  LIMIT room) l;
        END IF;

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
