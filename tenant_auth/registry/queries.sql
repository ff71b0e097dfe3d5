-- name: insert_tenant
INSERT INTO tenant (
    slug, tenant_id, database_url, database_token, database_token_expires_at,
    turso_database, status, created_at, updated_at
)
VALUES (
    :slug, :tenant_id, :database_url, :database_token, :database_token_expires_at,
    :turso_database, 'active', :now, :now
)
ON CONFLICT DO NOTHING;

-- name: get_tenant
SELECT slug, tenant_id, status, database_url, database_token, database_token_expires_at,
       turso_database, oidc_issuer, oidc_client_id, oidc_client_secret, oidc_allowed_domains,
       created_at
FROM tenant
WHERE slug = :slug;

-- name: list_tenants
SELECT slug, tenant_id, status, database_url, database_token, database_token_expires_at,
       turso_database, oidc_issuer, oidc_client_id, oidc_client_secret, oidc_allowed_domains,
       created_at
FROM tenant
ORDER BY slug;

-- name: get_tenant_by_key_id
SELECT tenant.slug, tenant.tenant_id, tenant.status, tenant.database_url, tenant.database_token,
       tenant.database_token_expires_at, tenant.turso_database, tenant.oidc_issuer,
       tenant.oidc_client_id, tenant.oidc_client_secret, tenant.oidc_allowed_domains,
       tenant.created_at
FROM api_key_owner JOIN tenant ON tenant.slug = api_key_owner.tenant_slug
WHERE api_key_owner.key_id = :key_id;

-- name: set_oidc
UPDATE tenant
SET oidc_issuer = :issuer, oidc_client_id = :client_id, oidc_client_secret = :client_secret,
    oidc_allowed_domains = :allowed_domains, updated_at = :now
WHERE slug = :slug;

-- name: set_status
UPDATE tenant SET status = :status, updated_at = :now WHERE slug = :slug;

-- Only if the token is still the one the caller read: two processes rotating at once
-- both mint a token, and the first to write wins.
-- name: set_database_token
UPDATE tenant
SET database_token = :token, database_token_expires_at = :expires_at, updated_at = :now
WHERE slug = :slug AND database_token IS :previous_token;

-- name: reseal_secrets
UPDATE tenant
SET database_token = :database_token, oidc_client_secret = :oidc_client_secret, updated_at = :now
WHERE slug = :slug
  AND database_token IS :previous_database_token
  AND oidc_client_secret IS :previous_oidc_client_secret;

-- name: insert_key_owner
INSERT INTO api_key_owner (key_id, tenant_slug, created_at) VALUES (:key_id, :slug, :now);

-- name: delete_key_owner
DELETE FROM api_key_owner WHERE key_id = :key_id;

-- name: insert_security_event
INSERT INTO security_event (occurred_at, action, reason, detail)
VALUES (:now, :action, :reason, :detail);

-- name: list_security_events
SELECT id, occurred_at, action, reason, detail FROM security_event ORDER BY id DESC LIMIT :limit;
