-- The read API lists a tenant's leads newest first, then in file order within a batch. It
-- did so through leads_tenant_received_record, (tenant, received_at DESC, batch,
-- record): an index entry for every lead, written at ingest (1 µs of PostgreSQL's ~18 per
-- experian lead, measured by leaving it out). A batch's leads share received_at (the one
-- transaction that loads them), so the list walks batches in that order instead, and each
-- batch's leads through leads_record_key, which ingest writes anyway.

-- The received_at of the batch's leads (set when the batch is processed); NULL for a batch
-- not processed yet or rejected.
ALTER TABLE ingest_batches ADD COLUMN leads_received_at timestamptz;
UPDATE ingest_batches b SET leads_received_at = l.received_at
FROM (SELECT batch_id, min(received_at) AS received_at FROM leads GROUP BY batch_id) l
WHERE l.batch_id = b.id;
CREATE INDEX ingest_batches_tenant_leads_received
    ON ingest_batches (tenant_id, leads_received_at DESC, id)
    WHERE leads_received_at IS NOT NULL;

DROP INDEX leads_tenant_received_record;
