-- name: create_version_table
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;

-- name: version_table_exists
SELECT count(*) AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';

-- name: applied_versions
SELECT version, checksum FROM schema_version ORDER BY version;

-- name: record_version
INSERT INTO schema_version (version, name, checksum, applied_at)
VALUES (:version, :name, :checksum, :applied_at);
