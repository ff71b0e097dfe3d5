-- name: insert_user
INSERT INTO user_account (id, email, name, role, active, created_at, updated_at)
VALUES (:id, :email, :name, :role, 1, :now, :now)
ON CONFLICT (email) DO NOTHING;

-- name: list_users
SELECT id, email, name, role, active, created_at, last_sign_in_at
FROM user_account
ORDER BY email;

-- name: get_user_by_id
SELECT id, email, name, role, active, created_at, last_sign_in_at
FROM user_account
WHERE id = :id;

-- name: get_user_by_email
SELECT id, email, name, role, active, created_at, last_sign_in_at
FROM user_account
WHERE email = :email;

-- name: deactivate_user
UPDATE user_account SET active = 0, updated_at = :now
WHERE email = :email AND active = 1;

-- name: record_sign_in
UPDATE user_account SET last_sign_in_at = :now
WHERE id = :id AND active = 1;

-- name: get_identity_user_id
SELECT user_id FROM oauth_identity WHERE issuer = :issuer AND subject = :subject;

-- name: count_identities_at_issuer
SELECT count(*) AS found FROM oauth_identity WHERE user_id = :user_id AND issuer = :issuer;

-- Does nothing if the identity exists, or if the user already has another identity at
-- this issuer (unique index); the service reads back which one holds.
-- name: insert_identity
INSERT INTO oauth_identity (issuer, subject, user_id, created_at)
VALUES (:issuer, :subject, :user_id, :now)
ON CONFLICT DO NOTHING;
