-- Running totals, kept by each write, so that compliance reads a few
-- hundred rows for any period rather than every contact in it.

-- Per unit and day (UTC, of the contact's time as first recorded), the
-- contacts and how many kept each rule: officer_id '' for the unit's
-- total, and a row per officer present.
CREATE TABLE compliance_days (
    unit         TEXT NOT NULL,
    officer_id   TEXT NOT NULL,
    day          TEXT NOT NULL,
    contacts     INTEGER NOT NULL,
    on_time      INTEGER NOT NULL,
    meetings     INTEGER NOT NULL,
    two_officers INTEGER NOT NULL,
    same_gender  INTEGER NOT NULL,
    PRIMARY KEY (unit, officer_id, day)
);
CREATE INDEX compliance_days_force ON compliance_days (officer_id, day);

-- Per unit, the open alerts by rule: officer_id '' for the unit's total,
-- and a row per officer an alert names.
CREATE TABLE open_alert_totals (
    unit       TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    rule       TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (unit, officer_id, rule)
);

-- Which derived tables have been filled from the history that came before
-- them.
CREATE TABLE derived_fills (
    name      TEXT PRIMARY KEY,
    filled_at TEXT NOT NULL
);
