-- A planned meeting that will not take place is cancelled, with who, when
-- and why; it then owes no record.
ALTER TABLE meetings ADD COLUMN cancelled_at TEXT;
ALTER TABLE meetings ADD COLUMN cancelled_by TEXT;
ALTER TABLE meetings ADD COLUMN cancel_reason TEXT;
