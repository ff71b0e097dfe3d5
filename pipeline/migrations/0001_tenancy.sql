-- Tenancy machinery: roles, the current-tenant function, and the tenants table.
--
-- Two group roles carry privileges so that no login name is baked into SQL:
--   leadgate_app     what the application may do; every tenant table is filtered by RLS.
--   leadgate_system  cross-tenant access for operator work (tenant admin, the delivery
--                    sweeper) through SECURITY DEFINER functions owned by the migrator.
-- The migration runner creates the login role named by LEADGATE_APP_PGUSER and makes it a
-- member of leadgate_app only.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadgate_app') THEN
        CREATE ROLE leadgate_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadgate_system') THEN
        CREATE ROLE leadgate_system NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT leadgate_system TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO leadgate_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Tables and sequences created by the migrator from now on are usable by the app role;
-- a migration that wants less (an append-only log) revokes explicitly.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO leadgate_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO leadgate_app;

-- The tenant of the current transaction, or NULL when none is set. Set only with
-- set_config('app.tenant_id', ..., true) (transaction-local): a session-wide value would
-- leak to the next user of a pooled connection. After a local set_config the setting
-- reads as '' rather than NULL in later transactions, hence nullif.
CREATE FUNCTION app_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Every table holding a tenant's rows goes through this, in every migration: row-level
-- security enabled and forced (the owner too), the app sees only the current tenant's
-- rows and can write only those, and leadgate_system (the migrator, SECURITY DEFINER
-- functions) sees all.
CREATE FUNCTION protect_tenant_tables(VARIADIC p_tables text[]) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY p_tables LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
            'WITH CHECK (tenant_id = app_current_tenant())', t);
        EXECUTE format(
            'CREATE POLICY system_access ON %I TO leadgate_system USING (true) WITH CHECK (true)', t);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION protect_tenant_tables(text[]) FROM PUBLIC;

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL CONSTRAINT tenants_slug_key UNIQUE
                CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL CONSTRAINT tenants_name_length CHECK (length(name) BETWEEN 1 AND 200),
    status      text NOT NULL DEFAULT 'active'
                CONSTRAINT tenants_status_valid CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = app_current_tenant()) WITH CHECK (id = app_current_tenant());
CREATE POLICY system_access ON tenants TO leadgate_system USING (true) WITH CHECK (true);
-- Tenants are created by operators, not by the app.
REVOKE INSERT, DELETE ON tenants FROM leadgate_app;

-- Resolve a slug from a URL (e.g. Bonzo event hooks) to a tenant id without giving the
-- app role a view across tenants: one id or NULL, nothing else.
CREATE FUNCTION tenant_id_for_slug(p_slug text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT id FROM tenants WHERE slug = p_slug AND status = 'active' $$;
REVOKE ALL ON FUNCTION tenant_id_for_slug(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_id_for_slug(text) TO leadgate_app;

-- Each tenant's Bonzo inbound webhook. The URL is the only credential Bonzo has, so it is
-- stored encrypted (LEADGATE_SECRET_KEY) with a masked hint for display.
CREATE TABLE bonzo_endpoints (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    url_ciphertext   text NOT NULL,
    url_hint         text NOT NULL,
    status           text NOT NULL DEFAULT 'active'
                     CONSTRAINT bonzo_endpoints_status_valid CHECK (status IN ('active', 'disabled')),
    disabled_reason  text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

SELECT protect_tenant_tables('bonzo_endpoints');
