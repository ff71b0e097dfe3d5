-- name: insert_event
INSERT INTO audit_event (occurred_at, action, outcome, actor, target, detail)
VALUES (:occurred_at, :action, :outcome, :actor, :target, :detail);

-- Batched right after the change it records: written only if that statement changed a
-- row, so a no-op (already revoked, already deactivated) leaves no event.
-- name: insert_event_if_changed
INSERT INTO audit_event (occurred_at, action, outcome, actor, target, detail)
SELECT :occurred_at, :action, :outcome, :actor, :target, :detail
WHERE changes() > 0;

-- name: list_events
SELECT id, occurred_at, action, outcome, actor, target, detail
FROM audit_event
WHERE id < :before_id
ORDER BY id DESC
LIMIT :limit;
