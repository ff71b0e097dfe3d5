-- Cheaper bulk ingest for PostgreSQL (measured with bench/ingest_pg.py; figures in
-- bench/README.md, "Ingest: the PostgreSQL side"). Nothing here changes what is stored or
-- who may see it.

-- Row-level security evaluated `tenant_id = app_current_tenant()` once per row: a GUC
-- lookup and a uuid parse for every lead and outbox row written and every dedupe probe.
-- As a sub-select the tenant is read once per statement (an InitPlan); same rows either way.
CREATE OR REPLACE FUNCTION protect_tenant_tables(VARIADIC p_tables text[]) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY p_tables LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_current_tenant())) '
            'WITH CHECK (tenant_id = (SELECT app_current_tenant()))', t);
        EXECUTE format(
            'CREATE POLICY system_access ON %I TO leadgate_system USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        WHERE p.polname = 'tenant_isolation'
          AND pg_get_expr(p.polqual, p.polrelid) = '(tenant_id = app_current_tenant())'
    LOOP
        EXECUTE format(
            'ALTER POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_current_tenant())) '
            'WITH CHECK (tenant_id = (SELECT app_current_tenant()))', t);
    END LOOP;
END
$$;

-- The stored file: pglz spent 2.6-5.6 µs of server CPU per ingested row compressing it
-- (100-300 MB per million rows). lz4 does it for 0.6-1.2 µs; a server built without lz4
-- (the embedded one) stores the bytes uncompressed, cheaper still in CPU.
DO $$
BEGIN
    IF 'lz4' = ANY (SELECT unnest(enumvals) FROM pg_settings WHERE name = 'default_toast_compression') THEN
        ALTER TABLE ingest_payload_chunks ALTER COLUMN data SET COMPRESSION lz4;
    ELSE
        ALTER TABLE ingest_payload_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
    END IF;
END
$$;

-- A lead's raw row is the normalizer's JSON encoding of the vendor's cells, written by
-- intake's load statement only; checking it as json cost a parse per lead (~1.7 µs) and
-- kept nothing the text does not (key order and bytes are the same). Readers cast it.
ALTER TABLE leads ALTER COLUMN raw TYPE text;

-- The dedupe keys compare byte-wise: the database's C.UTF-8 collation orders UTF-8 text
-- by code point, which is byte order, but PostgreSQL only takes its memcmp fast path
-- (and abbreviated sort keys) for "C". Same equality, same order, cheaper index inserts
-- and probes.
ALTER TABLE leads
    ALTER COLUMN source TYPE text COLLATE "C",
    ALTER COLUMN source_record_id TYPE text COLLATE "C",
    ALTER COLUMN phone TYPE text COLLATE "C",
    ALTER COLUMN email TYPE text COLLATE "C";

-- Only replay's filter could use it (tenant, status, updated_at), and
-- deliveries_tenant_status_created (0005) serves the same tenant + status prefix; one
-- index fewer to write per outbox row.
DROP INDEX deliveries_tenant_status;
