-- The board's covering index on (source, time, ...) serves every read by
-- source and time: the narrower one it begins with is one more index to
-- write for every contact, and nothing reads it that the wider cannot.
DROP INDEX contacts_source;
