-- One tenant's identity data: users, their OIDC identities, API keys, resource links and
-- the audit log. Foreign keys are not declared: libsql-client's file: transport opens a
-- fresh connection per statement, where SQLite leaves them unenforced, and a constraint
-- enforced on Turso but not locally would make the two modes behave differently.

CREATE TABLE user_account (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,            -- lowercased by the service
    name            TEXT,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'viewer')),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_sign_in_at TEXT
) STRICT;

CREATE TABLE oauth_identity (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT;

CREATE UNIQUE INDEX oauth_identity_one_per_issuer ON oauth_identity (user_id, issuer);

CREATE TABLE api_key (
    id           TEXT PRIMARY KEY,                  -- public: the key reads lg_<id>_<secret>
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,                     -- HMAC-SHA256 of the whole key, hex
    hash_key_id  TEXT NOT NULL,                     -- server key the HMAC key derives from
    scopes       TEXT NOT NULL,                     -- JSON array, e.g. ["ingest"]
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE TABLE resource_link (
    id         TEXT PRIMARY KEY,
    page       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

CREATE TABLE audit_event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    action      TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    actor       TEXT NOT NULL,
    target      TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'           -- JSON object; never secrets
) STRICT;

CREATE INDEX audit_event_by_time ON audit_event (occurred_at);

CREATE TRIGGER audit_event_refuses_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;

CREATE TRIGGER audit_event_refuses_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
