-- name: insert_api_key
INSERT INTO api_key (id, name, secret_hash, hash_key_id, scopes, created_by, created_at, expires_at)
VALUES (:id, :name, :secret_hash, :hash_key_id, :scopes, :created_by, :now, :expires_at);

-- name: list_api_keys
SELECT id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at
FROM api_key
ORDER BY created_at, id;

-- name: get_api_key
SELECT id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at
FROM api_key
WHERE id = :id;

-- name: get_api_key_with_hash
SELECT id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at,
       secret_hash, hash_key_id
FROM api_key
WHERE id = :id;

-- name: revoke_api_key
UPDATE api_key SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL;

-- name: touch_api_key
UPDATE api_key SET last_used_at = :now WHERE id = :id;
