-- What the rules need, kept as state that each write updates, so that no
-- write re-reads a source's history (issue: every write costs the same
-- after ten years as on day one).

-- The running state of RELATIONSHIP_RISK for each source: when its latest
-- relationship risk entry was recorded, how many flags (contacts carrying
-- indicators, or amendments adding them) reached the record since, and
-- the earliest of them. Derived from the contacts, amendments and risks:
-- audit verify recomputes it from them, so an edit here is caught.
CREATE TABLE source_state (
    source_id        TEXT PRIMARY KEY REFERENCES sources (id),
    last_risk_at     TEXT,
    unmanaged        INTEGER NOT NULL,
    first_contact_id TEXT,
    first_flagged_at TEXT,
    first_indicators TEXT,
    first_officers   TEXT
);

-- Deadlines: the moments time alone can breach a rule. The sweep takes
-- only what is due. base_at is when the clock started (a meeting's planned
-- time, a call's start, a course's expiry, or now for a source to be
-- evaluated again), so that a change to the documentation limit moves
-- every deadline at once.
CREATE TABLE deadlines (
    kind      TEXT NOT NULL,
    object_id TEXT NOT NULL,
    base_at   TEXT NOT NULL,
    source_id TEXT NOT NULL,
    PRIMARY KEY (kind, object_id, base_at)
);
CREATE INDEX deadlines_due ON deadlines (kind, base_at);

INSERT INTO deadlines (kind, object_id, base_at, source_id)
SELECT 'meeting', m.id, m.planned_for, m.source_id FROM meetings m
WHERE m.status = 'planned' AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.meeting_id = m.id AND a.rule = 'DOCUMENTED_24H');

INSERT INTO deadlines (kind, object_id, base_at, source_id)
SELECT 'call', c.id, c.started_at, c.source_id FROM calls c
WHERE c.billsec >= 1 AND NOT EXISTS (SELECT 1 FROM call_checks k WHERE k.call_id = c.id);

INSERT INTO deadlines (kind, object_id, base_at, source_id)
SELECT DISTINCT 'accreditation', t.officer_id, t.expires_on || 'T00:00:00.000000Z', '' FROM training t
WHERE t.expires_on IS NOT NULL;

-- The live state alerts of a source, and its open alerts, read on every
-- write and every view of it: partial indexes that hold only those, so
-- that years of resolved and acknowledged alerts are never read.
CREATE INDEX alerts_live_state ON alerts (source_id, state_key) WHERE state = 1 AND status <> 'resolved';
CREATE INDEX alerts_open ON alerts (source_id, rule) WHERE status = 'open';

-- Current assignments, by source and by officer, without ended ones.
CREATE INDEX assignments_current ON assignments (source_id, officer_id) WHERE ended_at IS NULL;
CREATE INDEX assignments_officer_current ON assignments (officer_id, source_id) WHERE ended_at IS NULL;

-- An alert per meeting and rule is looked up when a meeting falls due.
CREATE INDEX alerts_meeting ON alerts (meeting_id, rule);

-- An import's record holds its calls: hashing it reads them by import.
CREATE INDEX calls_import ON calls (import_id);
