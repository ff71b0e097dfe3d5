-- A lead's extra (its unmapped vendor columns) and warnings are stored as the JSON text
-- intake's load statement writes, like raw (migration 0006): msgspec encodes them, nothing
-- else writes them, and readers cast them. Parsing both into jsonb for every lead cost
-- 1.5-2 µs of the load's 20 (transunion, 1M rows: writing them as constants instead
-- measured 19.1 / 20.3 against 21.4 / 21.8 µs per row); json, which only checks the text,
-- still cost about 0.6.
ALTER TABLE leads
    ALTER COLUMN extra DROP DEFAULT,
    ALTER COLUMN extra TYPE text,
    ALTER COLUMN extra SET DEFAULT '{}',
    ALTER COLUMN warnings DROP DEFAULT,
    ALTER COLUMN warnings TYPE text,
    ALTER COLUMN warnings SET DEFAULT '[]';
