-- A lead's raw row as its cells, the column names once per batch (pipeline/core/rawrows.py).
-- Vendors' column names made most of a stored lead: 626 of an experian lead's 950 bytes
-- were its raw object, the names written again in the heap and the WAL for every row.
-- Leads stored before this keep their objects; readers take either form.

-- The names of the cells in the batch's leads' raw arrays, in order (a lead's cells name a
-- prefix: a JSON stream's columns grow as its objects show new keys). NULL for batches
-- stored before this migration and for batches not processed yet.
ALTER TABLE ingest_batches ADD COLUMN raw_columns text[];
