-- The sandbox's optional SQLite file: prospects and webhooks as msgspec JSON records.

-- name: create_prospects
CREATE TABLE IF NOT EXISTS prospects (
    id     INTEGER PRIMARY KEY,
    record TEXT NOT NULL
);

-- name: create_webhooks
CREATE TABLE IF NOT EXISTS webhooks (
    id     TEXT PRIMARY KEY,
    record TEXT NOT NULL
);

-- name: select_prospects
SELECT record FROM prospects ORDER BY id;

-- name: select_webhooks
SELECT record FROM webhooks ORDER BY id;

-- name: upsert_prospect
INSERT INTO prospects (id, record) VALUES (?, ?)
ON CONFLICT (id) DO UPDATE SET record = excluded.record;

-- name: upsert_webhook
INSERT INTO webhooks (id, record) VALUES (?, ?)
ON CONFLICT (id) DO UPDATE SET record = excluded.record;

-- name: delete_prospects
DELETE FROM prospects;
