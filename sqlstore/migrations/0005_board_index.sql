-- The early-warning board reads a year of a unit's contacts on every view:
-- an index that holds every column it reads spares a lookup in the table
-- for each row.
CREATE INDEX contacts_board ON contacts (occurred_at, id, source_id, kind, indicators, late);
