-- On PostgreSQL, changes commit side by side; each writes its audit
-- entries here, in its own transaction, and the chainer appends them to
-- the chain moments later, in one short locked step for many at a time:
-- the only serialised step of a write. (On SQLite the single writer
-- appends to the chain directly, and this table stays empty.) An entry
-- here is durable with its change; verification reads these as the tail
-- of the trail.
CREATE TABLE audit_pending (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    record_hash TEXT NOT NULL
);
