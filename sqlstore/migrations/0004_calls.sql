-- Call detail records. Only calls between an officer's work phone and a
-- source's registered number are kept, and without the numbers: the
-- officer, the source, when, how long. Each import is one record; its calls
-- are its children, so the audit trail vouches for them together.

CREATE TABLE call_imports (
    id          TEXT PRIMARY KEY,
    format      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE calls (
    id         TEXT PRIMARY KEY,
    import_id  TEXT NOT NULL REFERENCES call_imports (id),
    dedup_key  TEXT NOT NULL UNIQUE,
    source_id  TEXT NOT NULL REFERENCES sources (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    direction  TEXT NOT NULL,
    started_at TEXT NOT NULL,
    duration   INTEGER NOT NULL,
    billsec    INTEGER NOT NULL
);
CREATE INDEX calls_source ON calls (source_id, started_at);
CREATE INDEX calls_officer ON calls (officer_id, started_at);

-- The reconciliation of an answered call, once it is old enough to judge:
-- documented or not, and the alert raised when not.
CREATE TABLE call_checks (
    id         TEXT PRIMARY KEY,
    call_id    TEXT NOT NULL UNIQUE REFERENCES calls (id),
    checked_at TEXT NOT NULL,
    documented INTEGER NOT NULL
);

ALTER TABLE alerts ADD COLUMN call_id TEXT REFERENCES calls (id);
