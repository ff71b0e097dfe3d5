-- Failed records lose their foreign keys, as leads and deliveries did (0002): PostgreSQL
-- checks a foreign key with a query per inserted row, two per failed record here, and a
-- file's failed records come in by the tens of thousands (9 % of the bench files' rows).
-- The load statement takes the tenant and batch from the batch it holds locked; a
-- statement trigger takes a deleted batch's failed records with it, and a deleted
-- tenant's go with its batches.
-- Measured by leaving them and the index below out: transunion 24.7 / 24.7 / 24.2 -> 21.0 /
-- 20.5 / 21.5 µs of PostgreSQL per loaded row, experian 20.4 / 21.0 -> 18.6 / 18.6 (and once
-- 15.1 -> 16.9) at 1M rows (bench/README.md).
ALTER TABLE failed_records DROP CONSTRAINT failed_records_tenant_id_fkey;
ALTER TABLE failed_records DROP CONSTRAINT failed_records_batch_id_fkey;

-- (tenant, created_at DESC, id): no query orders failed records by id since 0005 gave
-- the list and the export (tenant, created_at DESC, batch, record).
DROP INDEX failed_records_tenant_created;

CREATE FUNCTION delete_failed_records_of_deleted_batches() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    DELETE FROM failed_records f USING deleted_batches b
    WHERE f.tenant_id = b.tenant_id AND f.batch_id = b.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ingest_batches_delete_failed_records AFTER DELETE ON ingest_batches
    REFERENCING OLD TABLE AS deleted_batches
    FOR EACH STATEMENT EXECUTE FUNCTION delete_failed_records_of_deleted_batches();
