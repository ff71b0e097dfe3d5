-- name: ingest_totals
SELECT tenant_slug, source, status, batches, ok, failed, duplicate, held FROM ingest_totals();

-- name: delivery_attempt_totals
SELECT tenant_slug, status_class, bucket, attempts, latency_ms_sum
FROM delivery_attempt_totals(%(bounds_ms)s);

-- name: delivery_backlog
SELECT due_count, oldest_due_seconds FROM delivery_backlog();
