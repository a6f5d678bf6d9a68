-- Lists that grow are read newest first, a page at a time, through an
-- index in the order they are shown: an alert carries its source's unit,
-- so that a unit's queue is read by one index, whatever the force's size
-- and however many years of alerts lie behind the page.
ALTER TABLE alerts ADD COLUMN unit TEXT;
CREATE INDEX alerts_unit_queue ON alerts (unit, status, raised_at, id);
CREATE INDEX alerts_unit_all ON alerts (unit, raised_at, id);
CREATE INDEX alerts_queue ON alerts (status, raised_at, id);
CREATE INDEX alerts_raised ON alerts (raised_at, id);
CREATE INDEX alerts_source_raised ON alerts (source_id, raised_at, id);

-- A source's timeline, newest first.
CREATE INDEX meetings_source_planned ON meetings (source_id, status, planned_for);
CREATE INDEX risks_source_recorded ON risks (source_id, recorded_at, id);

-- A contact's page lists the alerts it raised.
CREATE INDEX alerts_contact ON alerts (contact_id);

-- The trail, filtered by who or by what, newest first.
CREATE INDEX audit_actor ON audit_events (actor, seq);
CREATE INDEX audit_action ON audit_events (action, seq);
