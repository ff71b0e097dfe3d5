-- The registry: which libSQL database holds each tenant's identity data, and how its
-- users sign in. Secrets (database token, OIDC client secret) are SecretBox ciphertexts.

CREATE TABLE tenant (
    slug                      TEXT PRIMARY KEY,
    tenant_id                 TEXT NOT NULL UNIQUE,   -- the PostgreSQL tenant (uuid)
    database_url              TEXT NOT NULL,          -- file:, libsql:// or http(s)://; no token
    database_token            TEXT,                   -- ciphertext; NULL for file: databases
    database_token_expires_at TEXT,
    turso_database            TEXT UNIQUE,            -- name in the Turso org when provisioned there
    oidc_issuer               TEXT,
    oidc_client_id            TEXT,
    oidc_client_secret        TEXT,                   -- ciphertext
    oidc_allowed_domains      TEXT NOT NULL DEFAULT '[]',  -- JSON array of lowercase domains
    status                    TEXT NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'suspended')),
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    CHECK ((oidc_issuer IS NULL) = (oidc_client_id IS NULL)
           AND (oidc_issuer IS NULL) = (oidc_client_secret IS NULL))
) STRICT;

-- API key id -> tenant. Key ids are random and server-made, so a presented key can only
-- lead to the one tenant database that holds its record; the secret is checked there.
CREATE TABLE api_key_owner (
    key_id      TEXT PRIMARY KEY,
    tenant_slug TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX api_key_owner_tenant ON api_key_owner (tenant_slug);

-- Failures that cannot be attributed to a tenant (a link token whose signature does not
-- verify names no tenant we may trust). Append-only, like each tenant's audit_event.
CREATE TABLE security_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
) STRICT;

CREATE TRIGGER security_event_refuses_update BEFORE UPDATE ON security_event
BEGIN
    SELECT RAISE(ABORT, 'security_event is append-only');
END;

CREATE TRIGGER security_event_refuses_delete BEFORE DELETE ON security_event
BEGIN
    SELECT RAISE(ABORT, 'security_event is append-only');
END;
