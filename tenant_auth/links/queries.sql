-- name: insert_link
INSERT INTO resource_link (id, page, created_by, created_at, expires_at)
VALUES (:id, :page, :created_by, :now, :expires_at);

-- name: get_link
SELECT id, page, created_by, created_at, expires_at, revoked_at FROM resource_link WHERE id = :id;

-- name: list_links
SELECT id, page, created_by, created_at, expires_at, revoked_at
FROM resource_link
ORDER BY created_at, id;

-- name: revoke_link
UPDATE resource_link SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL;
