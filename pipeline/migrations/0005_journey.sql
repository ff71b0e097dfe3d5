-- Bonzo event hooks and the prospect journey: each tenant's shared event hook code, every
-- event exactly as Bonzo sent it, the link from a Bonzo prospect to our lead with the
-- prospect's latest known state, and the journey (what changed, when) per lead. Also the
-- indexes the read API pages through.

-- The code Bonzo sends as x-bonzo-code, encrypted with LEADGATE_SECRET_KEY. A table of its
-- own: a tenant may receive events without leadgate delivering to a Bonzo webhook.
CREATE TABLE bonzo_event_hooks (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    code_ciphertext  text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Every accepted event, stored before it is applied. Bonzo sends no event id, so the key
-- is derived from the body (see pipeline.journey.envelope); a repeat only counts.
-- body is json, not jsonb: the bytes are kept as sent (key order, duplicate keys, \u0000).
CREATE TABLE prospect_events (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    idempotency_key    text NOT NULL,
    event              text NOT NULL,
    bonzo_prospect_id  bigint,
    body               json NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    repeat_count       integer NOT NULL DEFAULT 0,
    last_repeated_at   timestamptz,
    -- NULL until applied; an event whose application failed stays NULL and is applied
    -- again when Bonzo repeats it.
    outcome            text CONSTRAINT prospect_events_outcome_valid
                       CHECK (outcome IN ('applied', 'ignored', 'unlinked', 'stale')),
    outcome_detail     text,
    lead_id            uuid REFERENCES leads (id) ON DELETE SET NULL,
    applied_at         timestamptz,
    CONSTRAINT prospect_events_key UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX prospect_events_tenant_received ON prospect_events (tenant_id, received_at DESC);
CREATE INDEX prospect_events_lead ON prospect_events (lead_id) WHERE lead_id IS NOT NULL;

-- A Bonzo prospect linked to the lead it came from, and its latest known state. Bonzo
-- merges prospects on phone and email, so several prospects never share a lead in
-- practice, but one lead may be linked to more than one prospect over time.
CREATE TABLE bonzo_prospects (
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    bonzo_prospect_id  bigint NOT NULL,
    lead_id            uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    linked_by          text NOT NULL CONSTRAINT bonzo_prospects_linked_by_valid
                       CHECK (linked_by IN ('external_id', 'phone', 'email')),
    status             text,
    pipeline_stage     text,
    assigned_to        text,
    dnc                boolean,
    opt_outs           text,
    last_contact_at    timestamptz,
    bad_phone          boolean NOT NULL DEFAULT false,
    bad_email          boolean NOT NULL DEFAULT false,
    -- The prospect's updated_at in the newest event applied: an older snapshot arriving
    -- late must not roll the state back.
    bonzo_updated_at   timestamptz,
    linked_at          timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, bonzo_prospect_id)
);
CREATE INDEX bonzo_prospects_lead ON bonzo_prospects (lead_id);

-- The journey: one row per change seen in Bonzo, oldest first per lead.
CREATE TABLE journey_entries (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lead_id            uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    event_id           uuid NOT NULL REFERENCES prospect_events (id) ON DELETE CASCADE,
    bonzo_prospect_id  bigint NOT NULL,
    kind               text NOT NULL CONSTRAINT journey_entries_kind_valid
                       CHECK (kind IN ('linked', 'status', 'pipeline_stage', 'assignment', 'dnc',
                                       'opt_outs', 'last_contact', 'contact_attempt',
                                       'bad_phone', 'bad_email')),
    value              text,
    previous           text,
    channel            text,
    message_id         text,
    occurred_at        timestamptz NOT NULL,
    -- When leadgate received the event that recorded the change.
    recorded_at        timestamptz NOT NULL
);
CREATE INDEX journey_entries_lead ON journey_entries (lead_id, occurred_at, id);

SELECT protect_tenant_tables('bonzo_event_hooks', 'prospect_events', 'bonzo_prospects', 'journey_entries');

-- Received events and the journey are evidence: the app records outcomes on events and
-- appends entries, it never removes either.
REVOKE DELETE ON prospect_events FROM leadgate_app;
REVOKE UPDATE, DELETE ON journey_entries FROM leadgate_app;

-- Read API pagination: newest first, then in file order within a batch (every row of a
-- batch shares its timestamp, so the batch and record number make the order total).
CREATE INDEX leads_tenant_received_record
    ON leads (tenant_id, received_at DESC, batch_id, record_number);
CREATE INDEX failed_records_tenant_created_record
    ON failed_records (tenant_id, created_at DESC, batch_id, record_number);
CREATE INDEX deliveries_tenant_created ON deliveries (tenant_id, created_at DESC, id);
CREATE INDEX deliveries_tenant_status_created ON deliveries (tenant_id, status, created_at DESC, id);
