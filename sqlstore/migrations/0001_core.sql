-- The core of Tandem. Portable SQL: it runs on SQLite and PostgreSQL alike.
-- Times are TEXT in one fixed-width UTC layout (they sort as they read),
-- booleans are INTEGER 0/1, lists are JSON text, so that a record reads back
-- byte for byte the same on either database and its audit hash holds.

CREATE TABLE officers (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL,
    unit          TEXT NOT NULL,
    roles         TEXT NOT NULL,
    dedicated     INTEGER NOT NULL,
    work_phones   TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
);

CREATE TABLE training (
    id                     TEXT PRIMARY KEY,
    officer_id             TEXT NOT NULL REFERENCES officers (id),
    course                 TEXT NOT NULL,
    minutes                INTEGER NOT NULL,
    completed_on           TEXT NOT NULL,
    covers_risk_management INTEGER NOT NULL,
    expires_on             TEXT,
    recorded_at            TEXT NOT NULL,
    recorded_by            TEXT NOT NULL
);
CREATE INDEX training_officer ON training (officer_id);

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL REFERENCES officers (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE sources (
    id                        TEXT PRIMARY KEY,
    reference                 TEXT NOT NULL UNIQUE,
    gender                    TEXT NOT NULL,
    required_officer_gender   TEXT NOT NULL,
    status                    TEXT NOT NULL,
    unit                      TEXT NOT NULL,
    legal_name                TEXT NOT NULL,
    aliases                   TEXT NOT NULL,
    date_of_birth             TEXT NOT NULL,
    address                   TEXT NOT NULL,
    phone_numbers             TEXT NOT NULL,
    recruited_on              TEXT NOT NULL,
    recruitment_circumstances TEXT NOT NULL,
    created_at                TEXT NOT NULL,
    created_by                TEXT NOT NULL
);
CREATE INDEX sources_unit ON sources (unit);

CREATE TABLE assignments (
    id         TEXT PRIMARY KEY,
    source_id  TEXT NOT NULL REFERENCES sources (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    role       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    ended_at   TEXT,
    ended_by   TEXT
);
CREATE INDEX assignments_source ON assignments (source_id);
CREATE INDEX assignments_officer ON assignments (officer_id);

CREATE TABLE meetings (
    id                     TEXT PRIMARY KEY,
    source_id              TEXT NOT NULL REFERENCES sources (id),
    planned_for            TEXT NOT NULL,
    location               TEXT NOT NULL,
    status                 TEXT NOT NULL,
    contact_id             TEXT,
    override_justification TEXT NOT NULL,
    findings               TEXT NOT NULL,
    planned_by             TEXT NOT NULL,
    created_at             TEXT NOT NULL
);
CREATE INDEX meetings_source ON meetings (source_id);
CREATE INDEX meetings_status ON meetings (status, planned_for);

CREATE TABLE meeting_officers (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    PRIMARY KEY (meeting_id, officer_id)
);

CREATE TABLE contacts (
    id               TEXT PRIMARY KEY,
    source_id        TEXT NOT NULL REFERENCES sources (id),
    kind             TEXT NOT NULL,
    occurred_at      TEXT NOT NULL,
    duration_minutes INTEGER,
    location         TEXT NOT NULL,
    summary          TEXT NOT NULL,
    indicators       TEXT NOT NULL,
    meeting_id       TEXT REFERENCES meetings (id),
    documented_at    TEXT NOT NULL,
    documented_by    TEXT NOT NULL,
    late             INTEGER NOT NULL,
    findings         TEXT NOT NULL
);
CREATE INDEX contacts_source ON contacts (source_id, occurred_at, id);
CREATE INDEX contacts_occurred ON contacts (occurred_at);

CREATE TABLE contact_officers (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    PRIMARY KEY (contact_id, officer_id)
);
CREATE INDEX contact_officers_officer ON contact_officers (officer_id);

CREATE TABLE amendments (
    id         TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    reason     TEXT NOT NULL,
    changes    TEXT NOT NULL,
    amended_at TEXT NOT NULL,
    amended_by TEXT NOT NULL,
    findings   TEXT NOT NULL
);
CREATE INDEX amendments_contact ON amendments (contact_id, amended_at);

CREATE TABLE risks (
    id          TEXT PRIMARY KEY,
    source_id   TEXT NOT NULL REFERENCES sources (id),
    category    TEXT NOT NULL,
    description TEXT NOT NULL,
    likelihood  INTEGER NOT NULL,
    impact      INTEGER NOT NULL,
    mitigation  TEXT NOT NULL,
    review_by   TEXT NOT NULL,
    contact_id  TEXT REFERENCES contacts (id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX risks_source ON risks (source_id, category, recorded_at);

CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,
    rule            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    state           INTEGER NOT NULL,
    state_key       TEXT NOT NULL,
    source_id       TEXT NOT NULL REFERENCES sources (id),
    contact_id      TEXT REFERENCES contacts (id),
    meeting_id      TEXT REFERENCES meetings (id),
    officer_ids     TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    status          TEXT NOT NULL,
    message         TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    justification   TEXT NOT NULL,
    resolved_at     TEXT
);
CREATE INDEX alerts_source ON alerts (source_id, status);
CREATE INDEX alerts_status ON alerts (status, rule);

CREATE TABLE settings (
    id         TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    record_hash TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
