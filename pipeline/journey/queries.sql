-- name: event_code
SELECT code_ciphertext FROM bonzo_event_hooks WHERE tenant_id = %(tenant_id)s;

-- name: upsert_event_code
INSERT INTO bonzo_event_hooks (tenant_id, code_ciphertext)
VALUES (%(tenant_id)s, %(code_ciphertext)s)
ON CONFLICT (tenant_id) DO UPDATE
    SET code_ciphertext = EXCLUDED.code_ciphertext, updated_at = now();

-- name: store_event
-- A repeat (same idempotency key) only counts; it also waits for a concurrent first copy
-- to commit, so the outcome it returns is that copy's.
INSERT INTO prospect_events (tenant_id, idempotency_key, event, bonzo_prospect_id, body)
VALUES (%(tenant_id)s, %(idempotency_key)s, %(event)s, %(bonzo_prospect_id)s, %(body)s::json)
ON CONFLICT ON CONSTRAINT prospect_events_key DO UPDATE
    SET repeat_count = prospect_events.repeat_count + 1, last_repeated_at = now()
RETURNING id, repeat_count = 0 AS inserted, outcome, received_at;

-- name: finish_event
UPDATE prospect_events
SET outcome = %(outcome)s, outcome_detail = %(detail)s, lead_id = %(lead_id)s, applied_at = now()
WHERE tenant_id = %(tenant_id)s AND id = %(event_id)s;

-- name: lock_link
SELECT bonzo_prospect_id, lead_id, linked_by, status, pipeline_stage, assigned_to, dnc,
       opt_outs, last_contact_at, bad_phone, bad_email, bonzo_updated_at, linked_at
FROM bonzo_prospects
WHERE tenant_id = %(tenant_id)s AND bonzo_prospect_id = %(bonzo_prospect_id)s
FOR UPDATE;

-- name: lead_for_prospect
-- The lead a Bonzo prospect came from: the lead id leadgate sent as external_id; failing
-- that, the newest lead accepted for delivery (delivered ones first) with the prospect's
-- phone, then with its email. Bonzo merges prospects on phone and email the same way.
SELECT lead_id, linked_by FROM (
    SELECT l.id AS lead_id, 'external_id' AS linked_by, 1 AS rank
    FROM leads l
    WHERE l.tenant_id = %(tenant_id)s AND l.id = %(external_id)s::uuid
    UNION ALL
    (SELECT l.id, 'phone', 2
     FROM leads l JOIN deliveries d ON d.lead_id = l.id
     WHERE l.tenant_id = %(tenant_id)s AND l.phone = %(phone)s::text
       AND l.status <> 'duplicate' AND l.status = 'ok'
     ORDER BY d.status = 'delivered' DESC, l.received_at DESC
     LIMIT 1)
    UNION ALL
    (SELECT l.id, 'email', 3
     FROM leads l JOIN deliveries d ON d.lead_id = l.id
     WHERE l.tenant_id = %(tenant_id)s AND l.email = %(email)s::text
       AND l.status <> 'duplicate' AND l.status = 'ok'
     ORDER BY d.status = 'delivered' DESC, l.received_at DESC
     LIMIT 1)
) candidates
ORDER BY rank
LIMIT 1;

-- name: insert_link
INSERT INTO bonzo_prospects (tenant_id, bonzo_prospect_id, lead_id, linked_by)
VALUES (%(tenant_id)s, %(bonzo_prospect_id)s, %(lead_id)s, %(linked_by)s)
ON CONFLICT DO NOTHING
RETURNING bonzo_prospect_id;

-- name: update_link
UPDATE bonzo_prospects SET
    status = %(status)s,
    pipeline_stage = %(pipeline_stage)s,
    assigned_to = %(assigned_to)s,
    dnc = %(dnc)s,
    opt_outs = %(opt_outs)s,
    last_contact_at = %(last_contact_at)s,
    bad_phone = %(bad_phone)s,
    bad_email = %(bad_email)s,
    bonzo_updated_at = greatest(bonzo_updated_at, %(bonzo_updated_at)s),
    updated_at = now()
WHERE tenant_id = %(tenant_id)s AND bonzo_prospect_id = %(bonzo_prospect_id)s;

-- name: insert_journey_entry
INSERT INTO journey_entries (
    tenant_id, lead_id, event_id, bonzo_prospect_id, kind, value, previous, channel,
    message_id, occurred_at, recorded_at
) VALUES (
    %(tenant_id)s, %(lead_id)s, %(event_id)s, %(bonzo_prospect_id)s, %(kind)s, %(value)s,
    %(previous)s, %(channel)s, %(message_id)s, %(occurred_at)s, %(recorded_at)s
);

-- name: record_first_contact
-- The earliest outbound contact wins, whatever order events arrive in. A contact from
-- well before the lead reached us belongs to an older prospect Bonzo merged it into, so
-- it does not count; one within the clock-skew allowance counts as the arrival time.
UPDATE leads SET first_contact_at = greatest(%(contacted_at)s::timestamptz, received_at)
WHERE tenant_id = %(tenant_id)s AND id = %(lead_id)s
  AND %(contacted_at)s::timestamptz >= received_at - %(clock_skew)s::interval
  AND (first_contact_at IS NULL
       OR first_contact_at > greatest(%(contacted_at)s::timestamptz, received_at));

-- name: journey_for_lead
SELECT kind, bonzo_prospect_id, value, previous, channel, message_id, occurred_at, recorded_at
FROM journey_entries
WHERE tenant_id = %(tenant_id)s AND lead_id = %(lead_id)s
ORDER BY occurred_at, id;

-- name: links_for_lead
SELECT bonzo_prospect_id, lead_id, linked_by, status, pipeline_stage, assigned_to, dnc,
       opt_outs, last_contact_at, bad_phone, bad_email, bonzo_updated_at, linked_at
FROM bonzo_prospects
WHERE tenant_id = %(tenant_id)s AND lead_id = %(lead_id)s
ORDER BY linked_at, bonzo_prospect_id;
