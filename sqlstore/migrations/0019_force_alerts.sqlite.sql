-- An alert of the whole force (SETTING_CHANGED) belongs to no source.
-- SQLite cannot drop a NOT NULL, so the table is made again with every
-- row and index; nothing refers to alerts, and each row's values, and so
-- its audit hash, stay as they were.
CREATE TABLE alerts_new (
    id              TEXT PRIMARY KEY,
    rule            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    state           INTEGER NOT NULL,
    state_key       TEXT NOT NULL,
    source_id       TEXT REFERENCES sources (id),
    contact_id      TEXT REFERENCES contacts (id),
    meeting_id      TEXT REFERENCES meetings (id),
    officer_ids     TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    status          TEXT NOT NULL,
    message         TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    justification   TEXT NOT NULL,
    resolved_at     TEXT,
    call_id         TEXT REFERENCES calls (id),
    unit            TEXT
);
INSERT INTO alerts_new (id, rule, severity, state, state_key, source_id, contact_id, meeting_id, officer_ids, raised_at, status, message,
    acknowledged_at, acknowledged_by, justification, resolved_at, call_id, unit)
SELECT id, rule, severity, state, state_key, source_id, contact_id, meeting_id, officer_ids, raised_at, status, message,
    acknowledged_at, acknowledged_by, justification, resolved_at, call_id, unit FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_source ON alerts (source_id, status);
CREATE INDEX alerts_status ON alerts (status, rule);
CREATE INDEX alerts_live_state ON alerts (source_id, state_key) WHERE state = 1 AND status <> 'resolved';
CREATE INDEX alerts_open ON alerts (source_id, rule) WHERE status = 'open';
CREATE INDEX alerts_meeting ON alerts (meeting_id, rule);
CREATE INDEX alerts_unit_queue ON alerts (unit, status, raised_at, id);
CREATE INDEX alerts_unit_all ON alerts (unit, raised_at, id);
CREATE INDEX alerts_queue ON alerts (status, raised_at, id);
CREATE INDEX alerts_raised ON alerts (raised_at, id);
CREATE INDEX alerts_source_raised ON alerts (source_id, raised_at, id);
CREATE INDEX alerts_contact ON alerts (contact_id);
CREATE INDEX alerts_rule_raised ON alerts (rule, raised_at, id);
CREATE INDEX alerts_unit_rule ON alerts (unit, rule, raised_at, id);
