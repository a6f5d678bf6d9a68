-- The newest entry that records an object's hash, found at once: every
-- request checks its officer's row against it, so that a row changed
-- outside Tandem (a role added, a disabled account enabled) grants nothing.
-- Only entries that record a hash: an officer's sign-ins, which record
-- none, would otherwise lie between, more with every year.
CREATE INDEX audit_records ON audit_events (object_type, object_id, seq) WHERE record_hash <> '';
CREATE INDEX audit_pending_records ON audit_pending (object_type, object_id, id) WHERE record_hash <> '';
