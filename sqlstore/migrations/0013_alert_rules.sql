-- The alerts of one rule, newest first: a rare rule's few alerts are found
-- without walking every other rule's.
CREATE INDEX alerts_rule_raised ON alerts (rule, raised_at, id);
CREATE INDEX alerts_unit_rule ON alerts (unit, rule, raised_at, id);
