-- Lead intake: ingest batches (with the raw bytes, stored before parsing), leads, failed
-- records, and the delivery outbox row written in the same transaction as each lead.

-- Per-tenant intake settings.
ALTER TABLE tenants
    ADD COLUMN dedupe_window interval NOT NULL DEFAULT interval '30 days'
        CONSTRAINT tenants_dedupe_window_positive CHECK (dedupe_window >= interval '0'),
    ADD COLUMN permissible_purpose text,
    ADD COLUMN credit_grade_scores jsonb;

-- Ids that sort by creation time (the UUID version 7 layout: 48 bits of Unix milliseconds,
-- the version, then random bits). Rows bulk-loaded together get neighbouring keys, so
-- their entries in the leads and outbox indexes land on a few hot pages instead of one
-- random page each, which is what made a big load slow down as the tables grew.
CREATE FUNCTION uuid_time_ordered() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
    SELECT encode(overlay(uuid_send(gen_random_uuid())
        PLACING int8send(((date_part('epoch', clock_timestamp()) * 1000)::bigint << 16) | x'7000'::bigint)
        FROM 1 FOR 8), 'hex')::uuid
$$;

CREATE TABLE ingest_batches (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source           text NOT NULL,
    channel          text NOT NULL CONSTRAINT ingest_batches_channel_valid
                     CHECK (channel IN ('cli', 'upload', 'api')),
    filename         text,
    content_type     text,
    content_sha256   text NOT NULL,
    byte_size        bigint NOT NULL,
    -- The column mapping a generic source was read with, so a stored batch can be re-read.
    mapping          jsonb,
    status           text NOT NULL DEFAULT 'received' CONSTRAINT ingest_batches_status_valid
                     CHECK (status IN ('received', 'done', 'rejected')),
    error            text,
    total_records    integer NOT NULL DEFAULT 0,
    ok_count         integer NOT NULL DEFAULT 0,
    failed_count     integer NOT NULL DEFAULT 0,
    duplicate_count  integer NOT NULL DEFAULT 0,
    held_count       integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    -- The same bytes from the same source are the same batch: re-ingesting is a no-op.
    CONSTRAINT ingest_batches_content_key UNIQUE (tenant_id, source, content_sha256)
);
CREATE INDEX ingest_batches_tenant_created ON ingest_batches (tenant_id, created_at DESC);

-- The raw bytes in chunks (a file can exceed what one bytea value should hold).
CREATE TABLE ingest_payload_chunks (
    batch_id   uuid NOT NULL REFERENCES ingest_batches (id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    data       bytea NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- The canonical lead fields with their storage types, in the Lead struct's order; intake's
-- staging table spells the same columns (tests check both against the struct).
CREATE TYPE lead_fields AS (
    source_record_id     text,
    lead_kind            text,
    first_name           text,
    last_name            text,
    email                text,
    phone                text,
    alt_phones           text[],
    address              text,
    city                 text,
    state                text,
    zip                  text,
    credit_score         smallint,
    credit_grade         text,
    property_value       numeric(14, 2),
    loan_balance         numeric(14, 2),
    current_rate         numeric(7, 3),
    monthly_payment      numeric(14, 2),
    second_balance       numeric(14, 2),
    second_rate          numeric(7, 3),
    additional_cash      numeric(14, 2),
    down_payment         numeric(14, 2),
    ltv                  numeric(7, 3),
    bid_loan_value       numeric(14, 2),
    cash_out             boolean,
    found_home           boolean,
    va_eligible          boolean,
    has_second_mortgage  boolean,
    loan_type            text,
    loan_purpose         text,
    property_type        text,
    property_use         text,
    mortgage_open_date   date,
    trigger_date         date,
    consent_url          text,
    extra                jsonb
);

-- Foreign keys are checked per inserted row (one query each), which cost a bulk load more
-- than the rest of inserting a lead: leads and their outbox rows carry none. The one
-- statement that writes them (intake's load_leads_from_staging) takes the batch id from
-- the batch it holds locked, duplicate_of from a lead it just read or is inserting, and
-- each outbox row's lead from its own RETURNING. What the keys' ON DELETE CASCADE did is
-- done by the statement triggers below.
CREATE TABLE leads (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL,
    batch_id             uuid NOT NULL,
    record_number        integer NOT NULL,
    source               text NOT NULL,
    status               text NOT NULL CONSTRAINT leads_status_valid
                         CHECK (status IN ('ok', 'duplicate', 'held_compliance')),
    duplicate_of         uuid,
    hold_reason          text,
    source_record_id     text,
    lead_kind            text NOT NULL,
    first_name           text,
    last_name            text,
    email                text,
    phone                text,
    alt_phones           text[] NOT NULL DEFAULT '{}',
    address              text,
    city                 text,
    state                text,
    zip                  text,
    credit_score         smallint,
    credit_grade         text,
    property_value       numeric(14, 2),
    loan_balance         numeric(14, 2),
    current_rate         numeric(7, 3),
    monthly_payment      numeric(14, 2),
    second_balance       numeric(14, 2),
    second_rate          numeric(7, 3),
    additional_cash      numeric(14, 2),
    down_payment         numeric(14, 2),
    ltv                  numeric(7, 3),
    bid_loan_value       numeric(14, 2),
    cash_out             boolean,
    found_home           boolean,
    va_eligible          boolean,
    has_second_mortgage  boolean,
    loan_type            text,
    loan_purpose         text,
    property_type        text,
    property_use         text,
    mortgage_open_date   date,
    trigger_date         date,
    consent_url          text,
    extra                jsonb NOT NULL DEFAULT '{}',
    warnings             jsonb NOT NULL DEFAULT '[]',
    -- json, not jsonb: the vendor's column order is kept for display and export.
    raw                  json NOT NULL,
    received_at          timestamptz NOT NULL DEFAULT now(),
    first_contact_at     timestamptz,
    CONSTRAINT leads_record_key UNIQUE (tenant_id, batch_id, record_number),
    CONSTRAINT leads_duplicate_has_original CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL))
);
-- Dedupe probes: an original (non-duplicate) lead by vendor id, phone or email.
CREATE INDEX leads_dedupe_record_id ON leads (tenant_id, source, source_record_id, received_at, id)
    WHERE status <> 'duplicate' AND source_record_id IS NOT NULL;
CREATE INDEX leads_dedupe_phone ON leads (tenant_id, phone, received_at, id)
    WHERE status <> 'duplicate' AND phone IS NOT NULL;
CREATE INDEX leads_dedupe_email ON leads (tenant_id, email, received_at, id)
    WHERE status <> 'duplicate' AND email IS NOT NULL;

CREATE TABLE failed_records (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    batch_id       uuid NOT NULL REFERENCES ingest_batches (id) ON DELETE CASCADE,
    record_number  integer NOT NULL,
    source         text NOT NULL,
    errors         jsonb NOT NULL,
    raw            json NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT failed_records_record_key UNIQUE (tenant_id, batch_id, record_number)
);
CREATE INDEX failed_records_tenant_created ON failed_records (tenant_id, created_at DESC, id);

-- The delivery outbox: one row per accepted lead, written with the lead. Workers only
-- read what is here, so a lost queue message delays a lead and never loses it.
CREATE TABLE deliveries (
    id               uuid PRIMARY KEY DEFAULT uuid_time_ordered(),
    tenant_id        uuid NOT NULL,
    lead_id          uuid NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CONSTRAINT deliveries_status_valid
                     CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempt_count    integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_lead_key UNIQUE (lead_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_tenant_status ON deliveries (tenant_id, status, updated_at DESC);

-- The cascades of the foreign keys leads and deliveries do without: a deleted batch (or
-- tenant) takes its leads, a deleted lead its outbox row. Per statement, so deleting a
-- batch of a million leads is two joins rather than a million trigger calls.
CREATE FUNCTION delete_leads_of_deleted_batches() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    DELETE FROM leads l USING deleted_batches b WHERE l.tenant_id = b.tenant_id AND l.batch_id = b.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER ingest_batches_delete_leads AFTER DELETE ON ingest_batches
    REFERENCING OLD TABLE AS deleted_batches
    FOR EACH STATEMENT EXECUTE FUNCTION delete_leads_of_deleted_batches();

CREATE FUNCTION delete_deliveries_of_deleted_leads() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    DELETE FROM deliveries d USING deleted_leads l WHERE d.lead_id = l.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_delete_deliveries AFTER DELETE ON leads
    REFERENCING OLD TABLE AS deleted_leads
    FOR EACH STATEMENT EXECUTE FUNCTION delete_deliveries_of_deleted_leads();

SELECT protect_tenant_tables('ingest_batches', 'ingest_payload_chunks', 'leads', 'failed_records', 'deliveries');

-- Stored bytes and failures are evidence: the app may add them, not rewrite them.
REVOKE UPDATE ON ingest_payload_chunks, failed_records FROM leadgate_app;
