-- name: insert_tenant
INSERT INTO tenants (slug, name) VALUES (%(slug)s, %(name)s)
RETURNING id, slug, name, status, created_at;

-- name: list_tenants
SELECT id, slug, name, status, created_at FROM tenants ORDER BY slug;

-- name: get_tenant
SELECT id, slug, name, status, created_at FROM tenants WHERE id = %(tenant_id)s;

-- name: upsert_bonzo_endpoint
INSERT INTO bonzo_endpoints (tenant_id, url_ciphertext, url_hint)
VALUES (%(tenant_id)s, %(url_ciphertext)s, %(url_hint)s)
ON CONFLICT (tenant_id) DO UPDATE
    SET url_ciphertext = EXCLUDED.url_ciphertext,
        url_hint = EXCLUDED.url_hint,
        status = 'active',
        disabled_reason = NULL,
        updated_at = now();

-- name: tenant_id_for_slug
SELECT tenant_id_for_slug(%(slug)s);
