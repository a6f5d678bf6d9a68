-- The force's own totals, under the unit '' (no unit is named ''): a
-- force-wide count reads a day's row, not a row per unit.
INSERT INTO compliance_days (unit, officer_id, day, contacts, on_time, meetings, two_officers, same_gender)
SELECT '', '', day, SUM(contacts), SUM(on_time), SUM(meetings), SUM(two_officers), SUM(same_gender)
FROM compliance_days WHERE officer_id = '' AND unit <> '' GROUP BY day;

INSERT INTO open_alert_totals (unit, officer_id, rule, n)
SELECT '', '', rule, SUM(n) FROM open_alert_totals WHERE officer_id = '' AND unit <> '' GROUP BY rule;

-- A unit's officers, for the compliance page's handlers.
CREATE INDEX officers_unit ON officers (unit);
